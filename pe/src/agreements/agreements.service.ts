import type { ErrorDetail } from "@loans/shared";
import { Dec, toMoney, toRate } from "@loans/shared/money";
import { enqueue } from "@loans/shared/outbox";
import type { Kysely, Transaction } from "kysely";
import type { BusinessClock } from "../business-date/types.ts";
import { type Client, upsertClient } from "../clients/clients.repository.ts";
import type { ClientInput } from "../clients/clients.schemas.ts";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import type { Product } from "../products/products.repository.ts";
import { buildSchedule } from "../schedules/schedule.ts";
import { insertSchedule, listSchedule } from "../schedules/schedules.repository.ts";
import { withServicing } from "../servicing-store/view.ts";
import { findAgreement, insertAgreement } from "./agreements.repository.ts";
import type { AgreementCreatedPayload, AgreementResponse, CreateAgreementInput } from "./agreements.schemas.ts";
import { toAgreementResponse } from "./agreements.views.ts";
import { listStatusHistory, recordStatus } from "./status.repository.ts";

export interface LoanTerms {
  originationFee: string;
  principal: string;
}

/**
 * Checks the request against the product and settles the fee (the product's minimum when not given) and
 * the principal (disbursement + fee, which is what the principal bounds apply to). Every broken bound is
 * listed in one OUT_OF_BOUNDS.
 */
export function applyProductBounds(product: Product, input: CreateAgreementInput): LoanTerms {
  const originationFee = input.originationFee ?? toMoney(product.min_origination_fee);
  const principal = toMoney(new Dec(input.disbursementAmount).plus(originationFee));
  const details: ErrorDetail[] = [];
  const check = (path: string, value: string | number, min: string | number, max: string | number, what: string) => {
    if (new Dec(value).lt(min) || new Dec(value).gt(max))
      details.push({ path, message: `${what} ${value} is outside ${min}–${max}`, value, min, max });
  };
  check("termMonths", input.termMonths, product.min_term_months, product.max_term_months, "term in months");
  check(
    "principal",
    principal,
    toMoney(product.min_principal),
    toMoney(product.max_principal),
    "principal (disbursementAmount + originationFee)",
  );
  check(
    "interestRate",
    input.interestRate,
    toRate(product.min_interest_rate),
    toRate(product.max_interest_rate),
    "interest rate",
  );
  check(
    "originationFee",
    originationFee,
    toMoney(product.min_origination_fee),
    toMoney(product.max_origination_fee),
    "origination fee",
  );
  if (details.length > 0) {
    throw peError("OUT_OF_BOUNDS", `outside the bounds of product ${product.code}`, details);
  }
  return { originationFee, principal };
}

/**
 * Opens an agreement inside the caller's transaction: the client (found or created by passport), the
 * agreement in NEW with its history row and schedule, and the `agreement.created` message to Origination.
 * Answers the agreement as `loadAgreement` would read it after the commit, built from the rows as the
 * inserts returned them: no second read of what this transaction wrote.
 */
export async function openAgreement(
  trx: Transaction<PeDB>,
  args: {
    input: CreateAgreementInput;
    product: Product;
    terms: LoanTerms;
    clock: BusinessClock;
  },
): Promise<AgreementResponse> {
  const { input, product, terms, clock } = args;
  const client = await upsertClient(trx, input.client);
  assertSamePerson(client, input.client);
  // The transaction's start time: created_at and the NEW history row use it (audit times stay wall-clock).
  const now = client.transaction_time;
  // The business date: the indicative schedule starts on it, and Origination scores on it (§4.3, §8.11).
  const today = await clock.today(trx);
  const schedule = buildSchedule({
    principal: terms.principal,
    annualRate: input.interestRate,
    termMonths: input.termMonths,
    amortization: product.amortization,
    startDate: today,
  });
  const monthlyPayment = schedule[0]!.payment;
  const agreement = await insertAgreement(trx, {
    client_id: client.id,
    product_code: product.code,
    disbursement_amount: input.disbursementAmount,
    origination_fee: terms.originationFee,
    principal: terms.principal,
    term_months: input.termMonths,
    interest_rate: input.interestRate,
    monthly_payment: monthlyPayment,
    created_at: now,
    updated_at: now,
  });
  const agreementId = agreement.id;
  await recordStatus(trx, agreementId, "NEW", now);
  const stored = await insertSchedule(trx, agreementId, schedule);
  const payload: AgreementCreatedPayload = {
    agreementId,
    clientId: client.id,
    productCode: product.code,
    birthDate: client.birth_date,
    monthlyIncome: toMoney(client.monthly_income),
    principal: terms.principal,
    termMonths: input.termMonths,
    interestRate: toRate(input.interestRate),
    monthlyPayment,
    lastDueDate: schedule.at(-1)!.dueDate,
    applicationDate: today,
  };
  await enqueue(trx, { topic: "agreement.created", aggregateId: agreementId, payload: { ...payload } });
  return { ...toAgreementResponse(agreement, [{ status: "NEW", at: now }], stored), businessDate: today };
}

// Spelling may differ in case ("IVAN" and "Ivan"); the first spelling stays on record.
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A passport already on record with another name or birth date is refused, without saying what is on record. */
function assertSamePerson(onRecord: Client, given: ClientInput): void {
  const details: ErrorDetail[] = [];
  const differs = (path: string) =>
    details.push({ path: `client.${path}`, message: "differs from the client on record with this passport" });
  if (!sameName(onRecord.first_name, given.firstName)) differs("firstName");
  if (!sameName(onRecord.last_name, given.lastName)) differs("lastName");
  if (given.middleName && onRecord.middle_name && !sameName(onRecord.middle_name, given.middleName))
    differs("middleName");
  if (onRecord.birth_date !== given.birthDate) differs("birthDate");
  if (details.length > 0) {
    throw peError("CLIENT_MISMATCH", "a client with this passport is on record with another identity", details);
  }
}

/** The agreement as GET /agreements/{id} shows it, its figures computed on the business date, or null. */
export async function loadAgreement(
  db: Kysely<PeDB>,
  id: string,
  clock: BusinessClock,
): Promise<AgreementResponse | null> {
  const [agreement, history, schedule] = await Promise.all([
    findAgreement(db, id),
    listStatusHistory(db, id),
    listSchedule(db, id),
  ]);
  return agreement && withServicing(db, clock, toAgreementResponse(agreement, history, schedule));
}
