import type { PaymentPurpose, PaymentStatus, PayoutKind, PayoutStatus } from "@loans/contracts/statuses";
import type { OutboxTable } from "@loans/shared/outbox/types";
import type { ColumnType } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Numeric = ColumnType<string, string, string>;

// The statuses are the contracts' (one list for every service and the console).
export {
  PAYMENT_PURPOSES,
  PAYMENT_STATUSES,
  PAYOUT_KINDS,
  PAYOUT_STATUSES,
  type PaymentPurpose,
  type PaymentStatus,
  type PayoutKind,
  type PayoutStatus,
} from "@loans/contracts/statuses";
export type { OutboxTable };

export interface PayoutsTable {
  id: string;
  kind: PayoutKind;
  agreement_id: string;
  amount: Numeric;
  currency: ColumnType<string, string | undefined, string>;
  account_number: string;
  source_payment_id: string | null;
  payload_hash: string;
  status: ColumnType<PayoutStatus, PayoutStatus | undefined, PayoutStatus>;
  failure_code: string | null;
  failure_message: string | null;
  settled_at: Date | null;
  bank_attempts: ColumnType<number, number | undefined, number>;
  next_check_at: Timestamp;
  last_error: string | null;
  unknown_since: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PaymentsTable {
  id: string;
  agreement_id: string;
  amount: Numeric;
  purpose: PaymentPurpose;
  payer_account: string;
  status: ColumnType<PaymentStatus, PaymentStatus | undefined, PaymentStatus>;
  failure_code: string | null;
  failure_message: string | null;
  succeeded_at: Date | null;
  bank_accepted_at: Date | null;
  bank_attempts: ColumnType<number, number | undefined, number>;
  next_check_at: Timestamp;
  last_error: string | null;
  unknown_since: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type AnnouncedStatus = "ACTIVE" | "CLOSED" | "DISBURSEMENT_FAILED";

export interface AgreementStatusesTable {
  agreement_id: string;
  status: AnnouncedStatus;
  status_on: string;
  status_at: Date;
  updated_at: Timestamp;
}

export interface GatewayDB {
  outbox: OutboxTable;
  payouts: PayoutsTable;
  payments: PaymentsTable;
  agreement_statuses: AgreementStatusesTable;
}
