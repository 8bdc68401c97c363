import { isoDate } from "@loans/contracts/fields";
import { moneyInput, moneyOutput, toMoney } from "@loans/shared/money";
import type { Selectable } from "kysely";
import { z } from "zod";
import { utcDate } from "../calendar.ts";
import type { ClientsTable } from "../db.ts";

/**
 * Names: letters of any script (with their combining marks), single spaces, hyphens or apostrophes
 * between them: "Anna-Maria", "O'Neil", "d’Artagnan", "Мария Луиза". No digits, punctuation or markup,
 * nothing leading or trailing. Trimmed and NFC-normalised first, then 1–100 characters.
 */
const NAME = /^\p{L}\p{M}*(?:[ '’-]?\p{L}\p{M}*)*$/u;

export const personName = () =>
  z
    .string()
    .trim()
    .normalize("NFC")
    .min(1, "must not be empty")
    .max(100, "must be at most 100 characters")
    .regex(NAME, "may hold only letters, with single spaces, hyphens or apostrophes between them");

/** Written with spaces or dashes or in any case; kept as 6–20 capital Latin letters and digits. */
export const passportNumber = () =>
  z
    .string()
    .max(40, "must be at most 20 letters or digits")
    .transform((s) => s.replace(/[\s-]/g, "").toUpperCase())
    .pipe(z.string().regex(/^[A-Z0-9]{6,20}$/, "must be 6 to 20 letters or digits (spaces and dashes are ignored)"));

// The lower bound only keeps typos like 0990 out; any age rule belongs to scoring in Origination.
const EARLIEST_BIRTH_DATE = "1900-01-01";

export const birthDate = () =>
  isoDate("must be a real date as YYYY-MM-DD").superRefine((s, ctx) => {
    if (s >= utcDate(new Date())) ctx.addIssue({ code: "custom", message: "must be in the past" });
    else if (s < EARLIEST_BIRTH_DATE) ctx.addIssue({ code: "custom", message: `must be after ${EARLIEST_BIRTH_DATE}` });
  });

/** E.164: a plus, a country code not starting with 0, 7 to 15 digits in all, nothing else. */
export const phoneNumber = () => z.string().regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number such as +79161234567");

export const clientInput = z
  .strictObject({
    firstName: personName(),
    lastName: personName(),
    // null and absent mean the same, so they make the same Idempotency-Key fingerprint.
    middleName: personName()
      .nullish()
      .transform((v) => v ?? undefined),
    birthDate: birthDate(),
    passportNumber: passportNumber(),
    email: z.string().trim().max(254, "must be at most 254 characters").pipe(z.email("must be an email address")),
    phone: phoneNumber(),
    monthlyIncome: moneyInput({ allowZero: true }),
  })
  .meta({ id: "ClientRequest" });
export type ClientInput = z.output<typeof clientInput>;

export const clientResponse = z
  .object({
    id: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    middleName: z.string().nullable(),
    birthDate: z.string(),
    passportNumber: z.string(),
    email: z.string(),
    phone: z.string(),
    monthlyIncome: moneyOutput(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Client" });
export type ClientResponse = z.output<typeof clientResponse>;

export function toClientResponse(row: Selectable<ClientsTable>): ClientResponse {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    middleName: row.middle_name,
    birthDate: row.birth_date,
    passportNumber: row.passport_number,
    email: row.email,
    phone: row.phone,
    monthlyIncome: toMoney(row.monthly_income),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
