import type { Kysely, Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import { buildSchedule } from "../schedules/schedule.ts";
import type { LoanTerms, Payment } from "../servicing/index.ts";

type Db = Kysely<PeDB> | Transaction<PeDB>;

/** What the servicing core needs of an agreement, and what the store writes back beside it. */
export interface Loan {
  id: string;
  status: PeDB["agreements"]["status"]["__select__"];
  principal: string;
  disbursementAmount: string;
  originationFee: string;
  disbursementId: string | null;
  disbursedOn: string | null;
  lastCobDate: string | null;
  closedOn: string | null;
  scheduleVersion: number;
  /** The stored PSK's schedule version and finality (pe/src/psk). */
  pskScheduleVersion: number | null;
  pskFinal: boolean | null;
  dueDateShift: "NONE" | "NEXT_WORKING_DAY";
  /** The calendar version its due dates were computed by; null under NONE. */
  calendarVersion: number | null;
  /** Null until the loan is disbursed: before that there is nothing to service. */
  terms: LoanTerms | null;
}

/** The agreement's servicing row, locked for the rest of the transaction when `lock` is set. */
export async function findLoan(db: Db, id: string, opts: { lock?: boolean } = {}): Promise<Loan | null> {
  let q = db
    .selectFrom("agreements as a")
    .innerJoin("products as p", "p.code", "a.product_code")
    .select([
      "a.id",
      "a.status",
      "a.principal",
      "a.disbursement_amount",
      "a.origination_fee",
      "a.term_months",
      "a.interest_rate",
      "a.disbursement_id",
      "a.disbursed_on",
      "a.last_cob_date",
      "a.closed_on",
      "a.schedule_version",
      "a.psk_schedule_version",
      "a.psk_final",
      "p.amortization",
      "p.penalty_rate",
      "p.penalty_grace_days",
      "p.due_date_shift",
      "a.calendar_version",
    ])
    .where("a.id", "=", id);
  if (opts.lock) q = q.forUpdate("a");
  const r = await q.executeTakeFirst();
  if (!r) return null;
  const terms = r.disbursed_on ? await servicingTerms(db, { ...r, disbursed_on: r.disbursed_on }) : null;
  return {
    id: r.id,
    status: r.status,
    principal: r.principal,
    disbursementAmount: r.disbursement_amount,
    originationFee: r.origination_fee,
    disbursementId: r.disbursement_id,
    disbursedOn: r.disbursed_on,
    lastCobDate: r.last_cob_date,
    closedOn: r.closed_on,
    scheduleVersion: r.schedule_version,
    pskScheduleVersion: r.psk_schedule_version,
    pskFinal: r.psk_final,
    dueDateShift: r.due_date_shift,
    calendarVersion: r.calendar_version,
    terms,
  };
}

interface TermsRow {
  id: string;
  principal: string;
  interest_rate: string;
  term_months: number;
  amortization: LoanTerms["amortization"];
  disbursed_on: string;
  penalty_rate: string;
  penalty_grace_days: number;
  due_date_shift: "NONE" | "NEXT_WORKING_DAY";
}

/**
 * Version 1 is the schedule re-anchored on the disbursement date: the creation-time amounts (30/360
 * amounts do not depend on dates) on dates counted from disbursedOn, exactly as the re-anchoring wrote them.
 * Moved due dates depend on the calendar they were computed by: those are read as stored (§3.9).
 */
async function servicingTerms(db: Db, r: TermsRow): Promise<LoanTerms> {
  const schedule = buildSchedule({
    principal: r.principal,
    annualRate: r.interest_rate,
    termMonths: r.term_months,
    amortization: r.amortization,
    startDate: r.disbursed_on,
  });
  const moved = r.due_date_shift !== "NONE" ? await storedDates(db, r.id) : null;
  return {
    schedule: moved ? schedule.map((row) => ({ ...row, ...moved.dates.get(row.period) })) : schedule,
    disbursedOn: r.disbursed_on,
    annualRate: r.interest_rate,
    amortization: r.amortization,
    penaltyRate: r.penalty_rate,
    penaltyGraceDays: r.penalty_grace_days,
    ...(moved && moved.redatings.length > 0 ? { redatings: moved.redatings } : {}),
  };
}

/** The stored dates of each period, and the CALENDAR versions already appended (EXCEPTIONS §3.9). */
async function storedDates(db: Db, id: string) {
  const [rows, redatings] = await Promise.all([
    db
      .selectFrom("schedule_payments")
      .select(["period", "period_end", "due_date"])
      .where("agreement_id", "=", id)
      .execute(),
    db
      .selectFrom("schedule_versions")
      .select(["version", "effective_on"])
      .distinct()
      .where("agreement_id", "=", id)
      .where("reason", "=", "CALENDAR")
      .orderBy("version")
      .execute(),
  ]);
  return {
    dates: new Map(rows.map((x) => [x.period, { periodEnd: x.period_end, dueDate: x.due_date }])),
    redatings: redatings.map((x) => ({ version: x.version, on: x.effective_on })),
  };
}

export interface StoredPayment {
  id: string;
  amount: string;
  valueDate: string;
  purpose: "REGULAR" | "EARLY_REPAYMENT";
  refundWhole: boolean;
  payerAccount: string;
}

export async function listPayments(db: Db, agreementId: string): Promise<StoredPayment[]> {
  const rows = await db
    .selectFrom("payments")
    .select(["id", "amount", "value_date", "purpose", "refund_whole", "payer_account"])
    .where("agreement_id", "=", agreementId)
    .orderBy("value_date")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    amount: r.amount,
    valueDate: r.value_date,
    purpose: r.purpose,
    refundWhole: r.refund_whole,
    payerAccount: r.payer_account,
  }));
}

/** The payments the core allocates: all but those refunded whole because the loan had closed (§8.6). */
export const corePayments = (ps: StoredPayment[]): Payment[] =>
  ps.filter((p) => !p.refundWhole).map(({ id, amount, valueDate, purpose }) => ({ id, amount, valueDate, purpose }));

export async function listRefunds(db: Db, agreementId: string) {
  return db
    .selectFrom("refunds")
    .select(["payment_id", "payout_id", "amount", "status", "created_at", "settled_at"])
    .where("agreement_id", "=", agreementId)
    .orderBy("created_at")
    .orderBy("payment_id")
    .execute();
}
