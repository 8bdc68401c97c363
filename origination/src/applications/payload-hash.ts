import { createHash } from "node:crypto";
import type { agreementCreated } from "@loans/contracts";
import { Dec } from "@loans/shared/money";
import type { ReceivedOf } from "@loans/shared/outbox";

// Canonical decimal text: "150000", "150000.0" and "150000.00" are one amount and hash alike.
const decimal = (s: string) => new Dec(s).toString();

/**
 * A fingerprint of what an `agreement.created` says, so a repeat of the message is told apart from
 * another message under the same agreement id. Every field the application stores is in it, in a fixed
 * order; decimals are canonical and ids lower-case (the contract's parser makes them so), so spelling differences do not count as changes.
 * The prefix names the recipe: "v2:" adds the application date, and a message without one (from an
 * older PE) keeps the "v1:" recipe, so its repeats still match the hash stored for it.
 */
export function payloadHash(p: ReceivedOf<typeof agreementCreated>): string {
  const fields = [
    p.agreementId,
    p.clientId,
    p.productCode,
    p.birthDate,
    decimal(p.monthlyIncome),
    decimal(p.principal),
    p.termMonths,
    decimal(p.interestRate),
    decimal(p.monthlyPayment),
    p.lastDueDate,
  ];
  if (p.applicationDate === undefined) return `v1:${digest(fields)}`;
  return `v2:${digest([...fields, p.applicationDate])}`;
}

function digest(fields: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}
