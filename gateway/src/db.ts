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

/** What the bank worker keeps on every row it drives (bank/bookkeeping.ts), beside the row's final failure. */
interface BankBookkeeping {
  failure_code: string | null;
  failure_message: string | null;
  bank_attempts: ColumnType<number, number | undefined, number>;
  next_check_at: Timestamp;
  last_error: string | null;
  unknown_since: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PayoutsTable extends BankBookkeeping {
  id: string;
  kind: PayoutKind;
  agreement_id: string;
  amount: Numeric;
  currency: ColumnType<string, string | undefined, string>;
  account_number: string;
  source_payment_id: string | null;
  payload_hash: string;
  status: ColumnType<PayoutStatus, PayoutStatus | undefined, PayoutStatus>;
  settled_at: Date | null;
}

export interface PaymentsTable extends BankBookkeeping {
  id: string;
  agreement_id: string;
  amount: Numeric;
  purpose: PaymentPurpose;
  payer_account: string;
  status: ColumnType<PaymentStatus, PaymentStatus | undefined, PaymentStatus>;
  succeeded_at: Date | null;
  bank_accepted_at: Date | null;
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
