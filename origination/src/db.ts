import type { ApplicationStatus } from "@loans/contracts/statuses";
import type { OutboxTable } from "@loans/shared/outbox";
import type { ColumnType } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Numeric = ColumnType<string, string, string>;

// The outbox table is the same in every database (db/outbox/).
export type { ApplicationStatus, OutboxTable };

export interface ApplicationsTable {
  agreement_id: string;
  client_id: string;
  status: ColumnType<ApplicationStatus, ApplicationStatus | undefined, ApplicationStatus>;
  product_code: string;
  birth_date: string;
  monthly_income: Numeric;
  principal: Numeric;
  term_months: number;
  interest_rate: Numeric;
  monthly_payment: Numeric;
  last_due_date: string;
  /** PE's business date at creation; the arrival's UTC date when PE did not send it (0005). */
  application_date: ColumnType<string, string | undefined, string>;
  payload_hash: string;
  /** The request the application came with, carried on to its decision (0006); null when it came with none. */
  request_id: ColumnType<string | null, string | null | undefined, string | null>;
  decision_result: "APPROVED" | "REJECTED" | null;
  decision_reasons: ColumnType<unknown, string | null | undefined, string | null>;
  decided_at: Date | null;
  active_on: ColumnType<string | null, string | null | undefined, string | null>;
  closed_on: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Every withdrawal PE sent, remembered even when its application has not arrived (0003_withdrawals.sql). */
export interface WithdrawalsTable {
  agreement_id: string;
  withdrawn_at: Date;
  received_at: Timestamp;
}

export interface OriginationDB {
  outbox: OutboxTable;
  applications: ApplicationsTable;
  withdrawals: WithdrawalsTable;
}
