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

/**
 * An id in a request's path or query, made canonical as it is read: a uuid by the RFC (what the API
 * documents), in lower case, so no route lower-cases one of its own.
 */
export const uuidInput = () => z.uuid().transform((s) => s.toLowerCase());

/**
 * A real calendar day as 'YYYY-MM-DD' (zod's date format knows month lengths and leap years), year 0001 or
 * later (PostgreSQL has no year 0). Safe by construction: the format check aborts, so a refinement chained
 * after it only ever sees a well-formed date; every date field is built on this one.
 */
export const isoDate = (message = "must be a calendar date YYYY-MM-DD") =>
  z.iso.date({ error: message, abort: true }).refine((s) => !s.startsWith("0000"), message);

/** Years PostgreSQL's `date` stores without complaint and a person or a loan can plausibly have. */
export const plausibleDate = () =>
  isoDate().refine((s) => s >= "1900-01-01", "must be a date between 1900-01-01 and 9999-12-31");

/** A bank account number as the simulated bank and the API take it. */
export const accountNumber = () => z.string().regex(/^\d{20}$/, "must be 20 digits");

/** A decision's reason as it travels: a code and the words for it. */
export const reason = z.object({ code: z.string().min(1).max(100), message: z.string().max(2000) });

/** The examples' ids, one loan through every topic: the documents read as one story. */
export const EXAMPLE = {
  agreementId: "94937b77-88cb-431a-9c64-ae4a7400b2b5",
  clientId: "70bd2e17-7027-4939-995a-8c7a849f81d9",
  payoutId: "5f1c3d0e-8a7b-4c2d-9e6f-0a1b2c3d4e5f",
  paymentId: "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
} as const;

/** The example loan's disbursement, as `payout.requested` orders it and `payout.settled` reports it. */
export const EXAMPLE_DISBURSEMENT = {
  payoutId: EXAMPLE.payoutId,
  kind: "DISBURSEMENT",
  agreementId: EXAMPLE.agreementId,
  amount: "300000.00",
} as const;
