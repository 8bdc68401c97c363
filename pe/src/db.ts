import type { PaymentPurpose } from "@loans/contracts/statuses";
import type { OutboxTable } from "@loans/shared/outbox";
import type { ColumnType, Generated } from "kysely";
import type { AgreementStatus } from "./lifecycle/transitions.ts";

export type { AgreementStatus };

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** numeric columns come back as strings and are written as strings: money never passes through a float. */
type Numeric = ColumnType<string, string, string>;

// The outbox table is the same in every database (db/outbox/).
export type { OutboxTable };

export interface ProductsTable {
  code: string;
  name: string;
  amortization: "ANNUITY" | "EQUAL_PRINCIPAL";
  min_term_months: number;
  max_term_months: number;
  min_principal: Numeric;
  max_principal: Numeric;
  min_interest_rate: Numeric;
  max_interest_rate: Numeric;
  min_origination_fee: Numeric;
  max_origination_fee: Numeric;
  penalty_rate: ColumnType<string, string | undefined, string>;
  penalty_grace_days: ColumnType<number, number | undefined, number>;
  /** The PSK an agreement may not exceed at creation, percent a year (0009_psk.sql). */
  psk_ceiling: ColumnType<string, string | undefined, string>;
  /** EXCEPTIONS D18 (0008_due_dates.sql): NONE keeps due dates on periodEnd. */
  due_date_shift: ColumnType<"NONE" | "NEXT_WORKING_DAY", "NONE" | "NEXT_WORKING_DAY" | undefined, never>;
  created_at: Timestamp;
}

export interface ClientsTable {
  id: Generated<string>;
  passport_number: string;
  first_name: string;
  last_name: string;
  middle_name: string | null;
  birth_date: string;
  email: string;
  phone: string;
  monthly_income: Numeric;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AgreementsTable {
  id: Generated<string>;
  client_id: string;
  product_code: string;
  status: ColumnType<AgreementStatus, AgreementStatus | undefined, AgreementStatus>;
  disbursement_amount: Numeric;
  origination_fee: Numeric;
  principal: Numeric;
  term_months: number;
  interest_rate: Numeric;
  monthly_payment: Numeric;
  decision_result: "APPROVED" | "REJECTED" | null;
  decision_reasons: ColumnType<unknown, string | null | undefined, string | null>;
  decided_at: Date | null;
  /** Written before pe/0003_idempotency_keys.sql, read by nothing since: the keys moved to idempotency_keys. */
  idempotency_key: ColumnType<string | null, never, never>;
  request_hash: ColumnType<string | null, never, never>;
  disbursement_id: string | null;
  disbursement_account: string | null;
  disbursement_status: "REQUESTED" | "PAID" | "FAILED" | null;
  disbursement_requested_at: Date | null;
  disbursement_settled_at: Date | null;
  disbursed_on: string | null;
  disbursement_failure_code: string | null;
  disbursement_failure_message: string | null;
  schedule_anchored_on: string | null;
  schedule_version: ColumnType<number, number | undefined, number>;
  closed_on: string | null;
  /** The last business date the daily job ran for it; null until disbursed (0005_business_date.sql). */
  last_cob_date: ColumnType<string | null, string | null | undefined, string | null>;
  /** The current PSK (0009_psk.sql): null only on agreements created before it, until next recomputed. */
  psk_percent: ColumnType<string | null, string | null | undefined, string | null>;
  psk_amount: ColumnType<string | null, string | null | undefined, string | null>;
  psk_final: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  psk_schedule_version: ColumnType<number | null, number | null | undefined, number | null>;
  /** The calendar version its due dates were computed by (EXCEPTIONS §3.9); null under NONE. */
  calendar_version: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AgreementStatusHistoryTable {
  agreement_id: string;
  status: AgreementStatus;
  at: Timestamp;
}

export interface SchedulePaymentsTable {
  agreement_id: string;
  period: number;
  period_end: string;
  due_date: string;
  payment: Numeric;
  principal: Numeric;
  interest: Numeric;
  balance: Numeric;
  status: ColumnType<string, string | undefined, string>;
  version: ColumnType<number, number | undefined, number>;
  paid_interest: ColumnType<string, string | undefined, string>;
  paid_principal: ColumnType<string, string | undefined, string>;
  penalty: ColumnType<string, string | undefined, string>;
  paid_penalty: ColumnType<string, string | undefined, string>;
  paid_on: string | null;
}

export interface ScheduleVersionsTable {
  agreement_id: string;
  version: number;
  effective_on: string;
  period: number;
  period_end: string;
  due_date: string;
  payment: Numeric;
  principal: Numeric;
  interest: Numeric;
  balance: Numeric;
  /** Why it was appended (EXCEPTIONS §3.7); null on rows from before 0008_due_dates.sql. */
  reason: ColumnType<string | null, string | null | undefined, never>;
}

export type { PaymentPurpose };

export interface PaymentsTable {
  id: string;
  agreement_id: string;
  amount: Numeric;
  purpose: PaymentPurpose;
  payer_account: string;
  succeeded_at: Timestamp;
  value_date: string;
  refund_whole: ColumnType<boolean, boolean | undefined, boolean>;
  answer: ColumnType<unknown, string, string>;
  received_at: Timestamp;
}

export interface AllocationsTable {
  agreement_id: string;
  payment_id: string;
  on_date: string;
  period: number | null;
  component: "INTEREST" | "PRINCIPAL" | "PENALTY" | "REFUND";
  amount: Numeric;
}

export interface PenaltyAccrualsTable {
  agreement_id: string;
  period: number;
  on_date: string;
  amount: Numeric;
}

export interface UnappliedFundsTable {
  agreement_id: string;
  payment_id: string;
  purpose: PaymentPurpose;
  remaining: Numeric;
}

export type RefundStatus = "PENDING" | "PAID" | "FAILED";

export interface RefundsTable {
  payment_id: string;
  agreement_id: string;
  payout_id: string;
  amount: Numeric;
  account: string;
  status: ColumnType<RefundStatus, RefundStatus | undefined, RefundStatus>;
  created_at: Timestamp;
  settled_at: Date | null;
}

export interface LedgerEntriesTable {
  id: Generated<string>;
  journal_id: string;
  agreement_id: string;
  fact: string;
  type: string;
  on_date: string;
  account: string;
  debit: ColumnType<string, string | undefined, never>;
  credit: ColumnType<string, string | undefined, never>;
  payment_id: string | null;
  payout_id: string | null;
  created_at: Timestamp;
}

/** One move of the manual business clock: the date, and the instant it took effect. */
export interface BusinessDateTable {
  date: string;
  effective_at: Generated<Date>;
}

/**
 * One stored year of the production calendar (db/pe/0007_calendar.sql). pg parses a date[] into JS Dates (only
 * the scalar date is kept a string, shared/src/db.ts), so calendar.repository.ts reads the lists as text.
 */
export interface CalendarYearsTable {
  year: number;
  non_working_days: ColumnType<Date[], string[], string[]>;
  working_weekends: ColumnType<Date[], string[], string[]>;
  source: "SEED" | "ADMIN";
  updated_at: Timestamp;
}

/** The one global calendar version: every PUT adds one; the seeds are version 0. */
export interface CalendarVersionTable {
  id: ColumnType<boolean, boolean | undefined, never>;
  version: number;
}

export interface PeDB {
  outbox: OutboxTable;
  products: ProductsTable;
  clients: ClientsTable;
  agreements: AgreementsTable;
  agreement_status_history: AgreementStatusHistoryTable;
  schedule_payments: SchedulePaymentsTable;
  schedule_versions: ScheduleVersionsTable;
  payments: PaymentsTable;
  allocations: AllocationsTable;
  penalty_accruals: PenaltyAccrualsTable;
  unapplied_funds: UnappliedFundsTable;
  refunds: RefundsTable;
  ledger_entries: LedgerEntriesTable;
  business_date: BusinessDateTable;
  calendar_years: CalendarYearsTable;
  calendar_version: CalendarVersionTable;
}
