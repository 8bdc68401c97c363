import { Dec } from "@loans/shared/money";
import type {
  AllocationRow,
  Component,
  LoanTerms,
  PaymentPurpose,
  PenaltyPosting,
  ScheduleVersion,
  VersionReason,
} from "./types.ts";

/**
 * The mutable working state of one replay (state.ts builds it, the role files change it). It never
 * escapes: computeLoanState turns it into plain strings. All amounts are Dec and already in cents,
 * except the penalty sums, which stay exact until round(E_k) (cumulative rounding, LIFECYCLE §2.4).
 */

export interface PeriodLedger {
  period: number;
  periodEnd: string;
  dueDate: string;
  principal: Dec;
  interest: Dec;
  paidPrincipal: Dec;
  paidInterest: Dec;
  /** Σ b·penaltyRate over late days in 365-day and 366-day years: E_k = s365/36500 + s366/36600. */
  s365: Dec;
  s366: Dec;
  /** round(E_k): what has been posted in total. */
  penalty: Dec;
  paidPenalty: Dec;
  paidOn: string | null;
}

export interface Fund {
  paymentId: string;
  purpose: PaymentPurpose;
  remaining: Dec;
}

export interface Ledger {
  terms: LoanTerms;
  periods: PeriodLedger[];
  /** Unapplied funds, FIFO by value date then payment id. */
  funds: Fund[];
  versions: ScheduleVersion[];
  allocations: AllocationRow[];
  penaltyPostings: PenaltyPosting[];
  closedOn: string | null;
}

export const ZERO = new Dec(0);

export function openLedger(terms: LoanTerms): Ledger {
  const periods = terms.schedule.map((r) => ({
    period: r.period,
    periodEnd: r.periodEnd,
    dueDate: r.dueDate,
    principal: new Dec(r.principal),
    interest: new Dec(r.interest),
    paidPrincipal: ZERO,
    paidInterest: ZERO,
    s365: ZERO,
    s366: ZERO,
    penalty: ZERO,
    paidPenalty: ZERO,
    paidOn: null,
  }));
  const ledger: Ledger = {
    terms,
    periods,
    funds: [],
    versions: [],
    allocations: [],
    penaltyPostings: [],
    closedOn: null,
  };
  recordVersion(ledger, terms.disbursedOn, "DISBURSEMENT");
  return ledger;
}

export const unpaidPrincipal = (p: PeriodLedger): Dec => p.principal.minus(p.paidPrincipal);
export const unpaidInterest = (p: PeriodLedger): Dec => p.interest.minus(p.paidInterest);
export const penaltyOutstanding = (p: PeriodLedger): Dec => p.penalty.minus(p.paidPenalty);

/** Interest, principal and posted penalty all paid: the period is PAID (LIFECYCLE §1.2). */
export const isSettled = (p: PeriodLedger): boolean =>
  unpaidPrincipal(p).isZero() && unpaidInterest(p).isZero() && penaltyOutstanding(p).isZero();

export const fundsTotal = (l: Ledger, purpose?: PaymentPurpose): Dec =>
  l.funds.filter((f) => !purpose || f.purpose === purpose).reduce((s, f) => s.plus(f.remaining), ZERO);

/**
 * Takes up to `max` from the unapplied funds, oldest first (only `purpose` funds when given), writing one
 * dated allocation row per source payment; returns what it took.
 */
export function spend(
  l: Ledger,
  max: Dec,
  on: string,
  period: number | null,
  component: Component,
  purpose?: PaymentPurpose,
): Dec {
  let taken = ZERO;
  for (const fund of l.funds) {
    const want = max.minus(taken);
    if (want.lte(0)) break;
    if (purpose && fund.purpose !== purpose) continue;
    const part = Dec.min(want, fund.remaining);
    if (part.isZero()) continue;
    fund.remaining = fund.remaining.minus(part);
    taken = taken.plus(part);
    l.allocations.push({ paymentId: fund.paymentId, on, period, component, amount: part.toFixed(2) });
  }
  l.funds = l.funds.filter((f) => f.remaining.gt(0));
  return taken;
}

/** Marks the paidOn of periods that have just become settled. */
export function markPaid(l: Ledger, on: string): void {
  for (const p of l.periods) if (p.paidOn === null && isSettled(p)) p.paidOn = on;
}

/**
 * Snapshots the current rows as a new schedule version, balances recomputed from the top. A stored
 * CALENDAR version that comes first in the log (its number is next, its day has come) goes in before it.
 */
export function recordVersion(l: Ledger, effectiveOn: string, reason: VersionReason): void {
  recordRedatings(l, effectiveOn);
  pushVersion(l, effectiveOn, reason);
}

/**
 * The stored re-datings due by day d whose turn in the version log has come (§3.7: one append-only log).
 * The rows already carry the moved dates, so a CALENDAR version is a snapshot of them.
 */
export function recordRedatings(l: Ledger, d: string): void {
  for (;;) {
    const next = l.terms.redatings?.find((r) => r.version === l.versions.length + 1 && r.on <= d);
    if (!next) return;
    pushVersion(l, next.on, "CALENDAR");
  }
}

function pushVersion(l: Ledger, effectiveOn: string, reason: VersionReason): void {
  let balance = l.periods.reduce((s, p) => s.plus(p.principal), ZERO);
  const rows = l.periods.map((p) => {
    balance = balance.minus(p.principal);
    return {
      period: p.period,
      periodEnd: p.periodEnd,
      dueDate: p.dueDate,
      payment: p.principal.plus(p.interest).toFixed(2),
      principal: p.principal.toFixed(2),
      interest: p.interest.toFixed(2),
      balance: balance.toFixed(2),
    };
  });
  l.versions.push({ version: l.versions.length + 1, effectiveOn, reason, rows });
}

/** Closes the loan on `on` and refunds whatever funds are left (LIFECYCLE §2.6). */
export function close(l: Ledger, on: string): void {
  l.closedOn = on;
  spend(l, fundsTotal(l), on, null, "REFUND");
}

/** The close check: every period PAID and no penalty outstanding. */
export function closeIfPaid(l: Ledger, on: string): void {
  if (l.closedOn === null && l.periods.every(isSettled)) close(l, on);
}
