/**
 * What PG needs of a bank: send a transfer, and look one up. A real bank's adapter implements this over
 * its API; `simulated.ts` implements it over its own tables. Both are idempotent by transfer id.
 */

export type TransferStatus = "ACCEPTED" | "SETTLED" | "FAILED";

/** OUT pays into the account (a payout); IN collects from it (a client's payment). */
export type TransferDirection = "OUT" | "IN";

export interface Transfer {
  id: string;
  amount: string;
  accountNumber: string;
  /** ACCEPTED: on its way; SETTLED: paid; FAILED: refused for good. */
  status: TransferStatus;
  /** `account_closed`, `invalid_account_number`, `insufficient_funds`, `could_not_process` when FAILED. */
  failureCode: string | null;
  /** When the bank paid or refused it: PG's `settledAt`. */
  settledAt: Date | null;
}

export interface TransferOrder {
  /** The payout's or payment's id: the bank deduplicates on it, so resubmitting after an unknown outcome is safe. */
  id: string;
  amount: string;
  accountNumber: string;
  direction: TransferDirection;
}

export interface BankAdapter {
  /** Sends the transfer, or answers the existing one with this id. Throws BankUnavailable when unsure. */
  submitTransfer(order: TransferOrder): Promise<Transfer>;
  /** The transfer with this id, or null when the bank has none. Throws BankUnavailable when unsure. */
  getTransfer(id: string): Promise<Transfer | null>;
}

/**
 * The call's outcome is unknown: it timed out, the connection broke, the bank answered 5xx. A submit may
 * or may not have been recorded. Never a reason to call the transfer failed: ask again with the same id.
 */
export class BankUnavailable extends Error {
  constructor(
    readonly op: "submit" | "get",
    message: string,
  ) {
    super(message);
    this.name = "BankUnavailable";
  }
}
