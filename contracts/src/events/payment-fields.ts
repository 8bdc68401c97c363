import { z } from "zod";
import { PAYMENT_PURPOSES } from "../statuses.ts";
import { id, money } from "./fields.ts";

/** What payment.succeeded and payment.failed both carry. */
export const paymentFields = { paymentId: id(), agreementId: id(), amount: money(), purpose: z.enum(PAYMENT_PURPOSES) };
