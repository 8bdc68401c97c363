import { Dec } from "@loans/shared/money";
import { parseIsoDate } from "../calendar.ts";
import { allocate } from "./allocation.ts";
import { addDays } from "./days.ts";
import { ServicingInputError } from "./errors.ts";
import { closeIfPaid, type Ledger, openLedger, recordRedatings, spend } from "./ledger.ts";
import { payOffIfCovered } from "./payoff.ts";
import { accruePenaltyDay } from "./penalty.ts";
import { applyEarlyRepayment } from "./prepayment.ts";
import type { LoanTerms, Payment } from "./types.ts";

/**
 * Replays a loan from its disbursement to `asOf`, one day at a time, as the daily job and the payment
 * intake would have run had every payment been learned at once on its value date (LIFECYCLE §7): the
 * result depends only on the set of payments and the date, never on the order they arrived. Payments
 * valued after `asOf` have not happened yet as of that date and are left out.
 *
 * Each day d after disbursement: the daily job (§2.4: penalty for d, funds allocated, deferred early
 * repayment on a due date, close check), then d's payments in (valueDate, id) order — the id only breaks
 * ties, so same-day payments always meet the loan in one order — each allocated (§2.3), then the payoff
 * check (§2.5a), early repayment at once on a due date (§2.5b), close check (§2.6). A payment reaching a
 * closed loan is refunded whole (§8.6).
 */
export function replay(terms: LoanTerms, payments: readonly Payment[], asOf: string): Ledger {
  validate(terms, payments, asOf);
  const byDay = new Map<string, Payment[]>();
  for (const p of [...payments].sort(paymentOrder)) {
    if (p.valueDate > asOf) continue;
    byDay.set(p.valueDate, [...(byDay.get(p.valueDate) ?? []), p]);
  }
  const l = openLedger(terms);
  for (let d = terms.disbursedOn; d <= asOf; d = addDays(d, 1)) {
    if (d > terms.disbursedOn && l.closedOn === null) dailyJob(l, d);
    for (const p of byDay.get(d) ?? []) receive(l, p, d);
    // A re-dating of d was made after d's job and the payments before it (§3.9): it takes its place last.
    recordRedatings(l, d);
  }
  return l;
}

/** Value date, then id: the one order same-day payments meet the loan in, whatever order they were learned. */
export const paymentOrder = (a: Payment, b: Payment): number =>
  a.valueDate < b.valueDate ? -1 : a.valueDate > b.valueDate ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

function dailyJob(l: Ledger, d: string): void {
  accruePenaltyDay(l, d);
  allocate(l, d);
  applyEarlyRepayment(l, d);
  closeIfPaid(l, d);
}

function receive(l: Ledger, p: Payment, d: string): void {
  l.funds.push({ paymentId: p.id, purpose: p.purpose, remaining: new Dec(p.amount) });
  if (l.closedOn !== null) {
    spend(l, new Dec(p.amount), d, null, "REFUND");
    return;
  }
  allocate(l, d);
  if (payOffIfCovered(l, d)) return;
  applyEarlyRepayment(l, d);
  closeIfPaid(l, d);
}

const CENTS = /^\d+(\.\d{1,2})?$/;

function validate(terms: LoanTerms, payments: readonly Payment[], asOf: string): void {
  const bad = (m: string) => new ServicingInputError(m);
  for (const date of [terms.disbursedOn, asOf]) if (!parseIsoDate(date)) throw bad(`not a date: ${date}`);
  if (asOf < terms.disbursedOn) throw bad(`date ${asOf} is before the disbursement on ${terms.disbursedOn}`);
  if (terms.schedule.length === 0) throw bad("the schedule has no rows");
  validateDates(terms);
  const ids = new Set<string>();
  for (const p of payments) {
    if (ids.has(p.id)) throw bad(`payment ${p.id} appears twice`);
    ids.add(p.id);
    if (!CENTS.test(p.amount)) throw bad(`payment ${p.id}: amount ${p.amount} is not a non-negative amount in cents`);
    if (!parseIsoDate(p.valueDate)) throw bad(`payment ${p.id}: not a date: ${p.valueDate}`);
    if (p.valueDate < terms.disbursedOn) throw bad(`payment ${p.id} is valued before the disbursement`);
  }
}

/**
 * Dates of the rows (EXCEPTIONS §4.2 item 14): periodEnd and dueDate each after the one before (and the
 * disbursement), periodEnd ≤ dueDate, and a moved dueDate before the next periodEnd. Re-datings in order.
 */
function validateDates(terms: LoanTerms): void {
  const bad = (m: string) => new ServicingInputError(m);
  let previous = { periodEnd: terms.disbursedOn, dueDate: terms.disbursedOn };
  for (const r of terms.schedule) {
    if (!parseIsoDate(r.periodEnd) || !parseIsoDate(r.dueDate)) throw bad(`period ${r.period} has a bad date`);
    if (!(r.periodEnd > previous.periodEnd)) throw bad(`period ${r.period} does not end after ${previous.periodEnd}`);
    if (!(r.dueDate > previous.dueDate)) throw bad(`period ${r.period} is not due after ${previous.dueDate}`);
    if (r.dueDate < r.periodEnd) throw bad(`period ${r.period} is due before it ends`);
    if (previous.dueDate >= r.periodEnd) {
      throw bad(`period ${r.period - 1} is due on or after the end of period ${r.period}`);
    }
    previous = r;
  }
  let version = 1;
  for (const r of terms.redatings ?? []) {
    if (!parseIsoDate(r.on) || r.on < terms.disbursedOn || !(r.version > version)) {
      throw bad(`re-dating ${r.version} on ${r.on} is out of order`);
    }
    version = r.version;
  }
}
