import { z } from "zod";

/** Any well-formed uuid (PostgreSQL's own syntax): what a `uuid` column takes without a 22P02. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An id as a receiver reads it: any well-formed uuid, made canonical (lower case, as PostgreSQL spells
 * it), so no handler lower-cases an id of its own.
 */
export const canonicalId = () =>
  z
    .string()
    .regex(UUID, "must be a uuid")
    .transform((s) => s.toLowerCase());

/** Years PostgreSQL's `date` stores without complaint and a person or a loan can plausibly have. */
export const plausibleDate = () =>
  z.iso.date().refine((s) => {
    const year = Number(s.slice(0, 4));
    return year >= 1900 && year <= 9999;
  }, "must be a date between 1900-01-01 and 9999-12-31");

/** A bank account number as the simulated bank and the API take it. */
export const accountNumber = () => z.string().regex(/^\d{20}$/, "must be 20 digits");

/** A decision's reason as it travels: a code and the words for it. */
export const reason = z.object({ code: z.string().min(1).max(100), message: z.string().max(2000) });
