import { createHash } from "node:crypto";
import { Dec } from "@loans/shared/money";
import type { AgreementCreated } from "./applications.schemas.ts";

// Canonical decimal text: "150000", "150000.0" and "150000.00" are one amount and hash alike.
const decimal = (s: string) => new Dec(s).toString();

/**
 * A fingerprint of what an `agreement.created` says, so a repeat of the message is told apart from
 * another message under the same agreement id. Every field the application stores is in it, in a fixed
 * order; decimals are canonical and ids lower-case, so spelling differences do not count as changes.
 * The "v1:" prefix lets a later change of the recipe be recognised in stored hashes.
 */
export function payloadHash(p: AgreementCreated): string {
  const fields = [
    p.agreementId.toLowerCase(),
    p.clientId.toLowerCase(),
    p.productCode,
    p.birthDate,
    decimal(p.monthlyIncome),
    decimal(p.principal),
    p.termMonths,
    decimal(p.interestRate),
    decimal(p.monthlyPayment),
    p.lastDueDate,
  ];
  return `v1:${createHash("sha256").update(JSON.stringify(fields)).digest("hex")}`;
}
