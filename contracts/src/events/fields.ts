import { z } from "zod";
import { UUID } from "../fields.ts";

/**
 * The event data's own field schemas: what is sent, exactly (no transforms: the AsyncAPI document shows
 * them as they are). Ids are lower-case uuids, money decimal strings with two decimals, dates ISO.
 */
export const id = () => z.string().regex(UUID, "must be a uuid");
export const money = () => z.string().regex(/^-?\d+\.\d{2}$/, "a decimal string with two decimals");
export const date = () => z.iso.date();
export const instant = () => z.iso.datetime({ offset: true });

/** Why something happened: a stable code (the lifecycle event, a rule, the bank's failure code) and words. */
export const eventReason = z.object({ code: z.string().min(1).max(100), message: z.string().max(2000) });
export type EventReason = z.output<typeof eventReason>;
