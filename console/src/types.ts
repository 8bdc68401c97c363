/** The services' answers as the console reads them (CONTRACT.md, LIFECYCLE.md §4); later fields optional. */
export interface Decision {
  result: "APPROVED" | "REJECTED";
  reasons: Array<{ code: string; message: string }>;
  decidedAt: string;
}

export interface AgreementSummary {
  id: string;
  clientId: string;
  productCode: string;
  status: string;
  disbursementAmount: string;
  principal: string;
  termMonths: number;
  interestRate: string;
  monthlyPayment: string;
  createdAt: string;
  decision: Decision | null;
}

export type PeriodStatus = "PENDING" | "PARTIALLY_PAID" | "PAID" | "OVERDUE";

export interface ScheduleRow {
  period: number;
  dueDate: string;
  payment: string;
  principal: string;
  interest: string;
  balance: string;
  status: PeriodStatus;
  paidPrincipal: string;
  paidInterest: string;
  /** Penalty posted on the period so far. */
  penalty: string;
  paidPenalty: string;
  paidOn: string | null;
}

/** PE's servicing figures on its business date (LIFECYCLE §4.2); null until the loan is disbursed. */
export interface Balances {
  principalOutstanding: string;
  principalOverdue: string;
  interestOverdue: string;
  penaltyOutstanding: string;
  unappliedFunds: string;
  totalDue: string;
}

export type Bucket = "CURRENT" | "DPD_1_30" | "DPD_31_60" | "DPD_61_90" | "DPD_90_PLUS";

export interface Delinquency {
  daysPastDue: number;
  bucket: Bucket;
  oldestUnpaidDueDate: string | null;
}

export interface Refund {
  paymentId: string;
  payoutId: string;
  amount: string;
  status: "PENDING" | "PAID" | "FAILED";
  createdAt: string;
  settledAt: string | null;
}

export interface Agreement extends AgreementSummary {
  originationFee: string;
  statusHistory: Array<{ status: string; at: string }>;
  scheduleAnchoredOn: string | null;
  /** PE's business date the figures are computed on. */
  businessDate: string | null;
  scheduleVersion: number;
  disbursement: {
    id: string;
    status: string;
    amount: string;
    accountNumber: string;
    requestedOn?: string;
    disbursedOn?: string | null;
    failureCode?: string | null;
  } | null;
  balances: Balances | null;
  delinquency: Delinquency | null;
  /** The next unpaid period's payment in the current schedule version (null unless ACTIVE). */
  currentPayment: string | null;
  closedOn: string | null;
  refunds: Refund[];
  schedule: ScheduleRow[];
}

export interface PayoffQuote {
  agreementId: string;
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

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Application {
  agreementId: string;
  clientId: string;
  status: string;
  decision: Decision | null;
  createdAt: string;
  updatedAt: string;
}

export interface Payout {
  id: string;
  kind: string;
  agreementId: string;
  amount: string;
  destination: { accountNumber: string };
  status: string;
  failureCode: string | null;
  createdAt: string;
  settledAt: string | null;
}

export interface Payment {
  id: string;
  agreementId: string;
  amount: string;
  purpose: string;
  status: string;
  failureCode: string | null;
  failureMessage?: string | null;
  createdAt: string;
  succeededAt: string | null;
}

export type TransactionType =
  | "DISBURSEMENT"
  | "REPAYMENT"
  | "PENALTY"
  | "INTEREST_DUE"
  | "PREPAYMENT"
  | "PAYOFF"
  | "REFUND"
  | "REALLOCATION"
  | "PENALTY_REVERSAL";

/** One journal of PE's ledger (GET /agreements/{id}/transactions), oldest first. */
export interface Transaction {
  id: string;
  type: TransactionType;
  on: string;
  amount: string;
  /** What a repayment paid, by component; null for other journals; negative in an adjustment that undoes. */
  allocation: { interest: string; principal: string; penalty: string } | null;
  paymentId: string | null;
  payoutId: string | null;
  entries: Array<{ account: string; debit: string; credit: string }>;
}

export interface OutboxMessage {
  id: string;
  topic: string;
  requestId: string | null;
  createdAt: string;
  deliveries: Array<{ destination: string; attempts: number; deliveredAt: string | null; deadAt: string | null }>;
}
