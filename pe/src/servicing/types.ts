import type { Amortization } from "../schedules/schedule.ts";

/**
 * The servicing core's inputs and outputs: plain values, money as two-decimal strings, dates as
 * 'YYYY-MM-DD'. The core reads nothing else, so the stored rows are only its materialisation (LIFECYCLE §7).
 */

export type PaymentPurpose = "REGULAR" | "EARLY_REPAYMENT";

export interface ServicingRow {
  period: number;
  /** The nominal end of the period (start + k months): bounds the payoff accrual only (EXCEPTIONS §3.10). */
  periodEnd: string;
  /** periodEnd, or moved to a working day (D18): drives allocation, overdue, penalty and days past due. */
  dueDate: string;
  payment: string;
  principal: string;
  interest: string;
}

export interface LoanTerms {
  /** Re-anchored schedule (version 1), as buildSchedule gives it with startDate = disbursedOn. */
  schedule: ServicingRow[];
  disbursedOn: string;
  /** Annual percent, as in the schedule's terms: the ICMA accrual and the rebuilt tail use it. */
  annualRate: string;
  amortization: Amortization;
  /** Percent a year on overdue principal (CL1.0: "20"). */
  penaltyRate: string;
  /** Days after a due date before the period is OVERDUE and accrues penalty (CL1.0: 0). */
  penaltyGraceDays: number;
  /**
   * Calendar re-datings already stored (EXCEPTIONS §3.9), each with the schedule version number it took.
   * The schedule above carries the dates as they are now: a re-dating only moves dates after its day, so
   * the replay reads the same on every earlier day; these only place the CALENDAR versions in the log.
   */
  redatings?: readonly Redating[];
}

export interface Redating {
  version: number;
  on: string;
}

export type VersionReason = "DISBURSEMENT" | "PREPAYMENT" | "PAYOFF" | "CALENDAR";

export interface Payment {
  id: string;
  amount: string;
  /** The business date in effect at the bank's settlement instant (LIFECYCLE §8.1). */
  valueDate: string;
  purpose: PaymentPurpose;
}

export type PeriodStatus = "PENDING" | "PARTIALLY_PAID" | "PAID" | "OVERDUE";
export type Component = "INTEREST" | "PRINCIPAL" | "PENALTY" | "REFUND";
export type Bucket = "CURRENT" | "DPD_1_30" | "DPD_31_60" | "DPD_61_90" | "DPD_90_PLUS";

export interface ScheduleRowView extends ServicingRow {
  balance: string;
}

export interface ScheduleVersion {
  version: number;
  /** The date it took effect: disbursedOn for version 1. */
  effectiveOn: string;
  reason: VersionReason;
  rows: ScheduleRowView[];
}

export interface PeriodState extends ScheduleRowView {
  status: PeriodStatus;
  paidInterest: string;
  paidPrincipal: string;
  /** Penalty posted so far: round(E_k), cumulative. */
  penalty: string;
  paidPenalty: string;
  paidOn: string | null;
}

/** A dated allocation row (LIFECYCLE §8.2); REFUND rows have no period. */
export interface AllocationRow {
  paymentId: string;
  on: string;
  period: number | null;
  component: Component;
  amount: string;
}

export interface PenaltyPosting {
  on: string;
  period: number;
  amount: string;
}

export interface Allocation {
  interest: string;
  principal: string;
  penalty: string;
  unapplied: string;
  refunded: string;
}

export interface PaymentState {
  id: string;
  amount: string;
  valueDate: string;
  purpose: PaymentPurpose;
  /** As computed on the value date: the answer to `payment.succeeded`. */
  onValueDate: Allocation;
  /** As of the state's date: unapplied funds spent later by the daily job are counted in. */
  total: Allocation;
}

export interface LoanState {
  asOf: string;
  closed: boolean;
  closedOn: string | null;
  scheduleVersion: number;
  versions: ScheduleVersion[];
  periods: PeriodState[];
  /** The next unpaid period's payment in the current version (null once closed). */
  currentPayment: string | null;
  balances: {
    principalOutstanding: string;
    principalOverdue: string;
    interestOverdue: string;
    penaltyOutstanding: string;
    unappliedFunds: string;
    totalDue: string;
  };
  delinquency: { daysPastDue: number; bucket: Bucket; oldestUnpaidDueDate: string | null };
  payments: PaymentState[];
  allocations: AllocationRow[];
  penaltyPostings: PenaltyPosting[];
  /** Σ refunded: the overpayment (and any payment that reached the closed loan). */
  refunded: string;
  unapplied: Array<{ paymentId: string; purpose: PaymentPurpose; remaining: string }>;
}

export interface PayoffQuote {
  date: string;
  amount: string;
  components: {
    principal: string;
    interest: string;
    overdueInterest: string;
    penalty: string;
    unappliedFunds: string;
  };
  accrual: {
    period: number;
    from: string;
    to: string;
    daysElapsed: number;
    daysInPeriod: number;
    openingBalance: string;
    convention: "ACT_ACT_ICMA";
  } | null;
}
