import { randomUUID } from "node:crypto";
import { type AgreementCreated, agreementCreated } from "@loans/contracts";
import type { ErrorDetail } from "@loans/shared";
import { Dec, toMoney, toRate } from "@loans/shared/money";
import { enqueue } from "@loans/shared/outbox";
import type { Kysely, Transaction } from "kysely";
import { loadWorkingCalendar } from "../calendar/calendar.repository.ts";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { listStatusHistory, recordSameStatus } from "../lifecycle/status.repository.ts";
import { nominalFlows, scheduleFlows } from "../psk/flows.ts";
import { computePsk, type Psk } from "../psk/psk.ts";
import { type Client, upsertClients } from "../records/clients.repository.ts";
import type { ClientInput } from "../records/clients.schemas.ts";
import type { Product } from "../records/products.repository.ts";
import { type WorkingDays, withDueDates } from "../schedules/due-dates.ts";
import { buildSchedule } from "../schedules/schedule.ts";
import { insertSchedules, listSchedule } from "../schedules/schedules.repository.ts";
import { servicingView } from "../servicing-store/view.ts";
import { findAgreement, insertAgreements, type NewAgreement } from "./agreements.repository.ts";
import type { AgreementResponse, CreateAgreementInput } from "./agreements.schemas.ts";
import { toAgreementResponse } from "./agreements.views.ts";
import { emitAgreementsCreated } from "./created-event.ts";

export interface LoanTerms {
  originationFee: string;
  principal: string;
  /** The PSK under NONE (nominal dates), checked against the product's ceiling (EXCEPTIONS §3.11). */
  nominalPsk: Psk;
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
  return { originationFee, principal, nominalPsk: checkPskCeiling(product, input, principal) };
}

// Any start gives the same PSK under NONE (q_k = k, e_k = 0): a fixed one keeps the check free of the clock.
const NOMINAL_START = "2001-01-01";

/** The PSK under NONE; above the product's ceiling (equal passes) is 422 PSK_ABOVE_CEILING. */
function checkPskCeiling(product: Product, input: CreateAgreementInput, principal: string): Psk {
  const rows = buildSchedule({
    principal,
    annualRate: input.interestRate,
    termMonths: input.termMonths,
    amortization: product.amortization,
    startDate: NOMINAL_START,
  });
  const psk = computePsk({
    start: NOMINAL_START,
    disbursementAmount: input.disbursementAmount,
    flows: nominalFlows(NOMINAL_START, rows),
  });
  const ceiling = new Dec(product.psk_ceiling).toFixed(3);
  if (new Dec(psk.percent).gt(ceiling))
    throw peError("PSK_ABOVE_CEILING", `the PSK ${psk.percent} % is above product ${product.code}'s ceiling`, [
      { path: "psk", message: `${psk.percent} is above pskCeiling ${ceiling}`, psk: psk.percent, pskCeiling: ceiling },
    ]);
  return psk;
}

/**
 * The indicative PSK (§3.11): start = the creation's business date, flows on the indicative dueDates. Where
 * those are the nominal dates (NONE) it is the PSK the ceiling was checked with, not computed again.
 */
function indicativePsk(application: Application, schedule: ReturnType<typeof buildSchedule>, today: string): Psk {
  const flows = scheduleFlows(schedule);
  const nominal = nominalFlows(today, schedule);
  if (flows.every((f, i) => f.date === nominal[i]!.date)) return application.terms.nominalPsk;
  return computePsk({ start: today, disbursementAmount: application.input.disbursementAmount, flows });
}

/** One application that passed its own checks (the request, the product, its bounds), ready to open. */
export interface Application {
  input: CreateAgreementInput;
  product: Product;
  terms: LoanTerms;
  /** The request it came in on, for its outbox message; the current one (context.ts) by default. */
  requestId?: string;
}

/**
 * Opens an agreement inside the caller's transaction: the client (found or created by passport), the
 * agreement in NEW with its history row and schedule, and the `agreement.created` message to Origination.
 * Answers the agreement as `loadAgreement` would read it after the commit, built from the rows as the
 * inserts returned them: no second read of what this transaction wrote.
 */
export async function openAgreement(
  trx: Transaction<PeDB>,
  application: Application,
  clock: BusinessClock,
): Promise<AgreementResponse> {
  return (await openAgreements(trx, [application], clock))[0]!;
}

/**
 * `openAgreement` for several applications of different passports in one transaction, each statement
 * written once for all of them (create-group.ts); answers in the order given. A refusal of any of them
 * (CLIENT_MISMATCH) throws, and the caller's transaction takes everything back.
 */
export async function openAgreements(
  trx: Transaction<PeDB>,
  applications: Application[],
  clock: BusinessClock,
): Promise<AgreementResponse[]> {
  const clients = await upsertClients(
    trx,
    applications.map((a) => a.input.client),
  );
  for (const [i, a] of applications.entries()) assertSamePerson(clients[i]!, a.input.client);
  // The transaction's start time: created_at and the NEW history row use it (audit times stay wall-clock).
  const now = clients[0]!.transaction_time;
  // The business date: the indicative schedule starts on it, and Origination scores on it (§4.3, §8.11).
  const today = await clock.today(trx);
  // Indicative due dates of a NEXT_WORKING_DAY product follow the calendar in effect now (EXCEPTIONS §2.4).
  const cal = applications.some((a) => a.product.due_date_shift !== "NONE") ? await loadWorkingCalendar(trx) : null;
  const drafts = applications.map((a, i) => draftAgreement(a, clients[i]!, today, cal));
  const agreements = await insertAgreements(
    trx,
    drafts.map((d) => d.agreement),
    now,
  );
  const ids = agreements.map((a) => a.id);
  await recordSameStatus(trx, ids, "NEW", now);
  const stored = await insertSchedules(
    trx,
    drafts.map((d) => ({ agreementId: d.agreement.id, rows: d.schedule })),
  );
  await enqueue(
    trx,
    agreementCreated,
    drafts.map((d, i) => ({ aggregateId: d.agreement.id, payload: d.payload, requestId: applications[i]!.requestId })),
  );
  await emitAgreementsCreated(trx, drafts, today);
  return agreements.map((a, i) => ({
    ...toAgreementResponse(a, [{ status: "NEW", at: now }], stored[i]!),
    businessDate: today,
  }));
}

/** What one application writes, from the application, its client as on record and the business date alone. */
function draftAgreement(application: Application, client: Client, today: string, cal: WorkingDays | null) {
  const { input, product, terms } = application;
  const nominal = buildSchedule({
    principal: terms.principal,
    annualRate: input.interestRate,
    termMonths: input.termMonths,
    amortization: product.amortization,
    startDate: today,
  });
  const schedule = cal ? withDueDates(nominal, product.due_date_shift, cal) : nominal;
  const monthlyPayment = schedule[0]!.payment;
  const psk = indicativePsk(application, schedule, today);
  const agreement: NewAgreement = {
    id: randomUUID(),
    client_id: client.id,
    product_code: product.code,
    disbursement_amount: input.disbursementAmount,
    origination_fee: terms.originationFee,
    principal: terms.principal,
    term_months: input.termMonths,
    interest_rate: input.interestRate,
    monthly_payment: monthlyPayment,
    psk_percent: psk.percent,
    psk_amount: psk.amount,
    psk_final: false,
    psk_schedule_version: 1,
  };
  const payload: AgreementCreated = {
    agreementId: agreement.id,
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
  return { agreement, schedule, payload };
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
  if (!agreement) return null;
  const answer = toAgreementResponse(agreement, history, schedule);
  return { ...answer, ...(await servicingView(db, clock, id)) };
}
