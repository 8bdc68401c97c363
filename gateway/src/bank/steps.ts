import type { Transfer } from "../bank/bank.ts";
import type { PayoutStatus } from "../db.ts";

/**
 * A payout × what the bank answered → what PG does (LIFECYCLE §1.3), as a pure table. An unknown outcome
 * never makes a payout FAILED: the bank may have paid. A final payout ignores whatever comes later.
 */

export type BankAnswer =
  | { kind: "transfer"; transfer: Pick<Transfer, "status" | "failureCode" | "settledAt"> }
  /** The bank has no transfer with this id (a submit that never reached its books). */
  | { kind: "none" }
  /** The call timed out or failed: the outcome is unknown. */
  | { kind: "unknown" };

export type PayoutStep =
  | { kind: "final"; status: "PAID" | "FAILED"; settledAt: Date; failureCode: string | null }
  | { kind: "move"; to: "IN_TRANSIT" }
  /** Nothing changes; look again later: submit again when PENDING, poll when IN_TRANSIT. */
  | { kind: "wait"; unknown: boolean }
  /** The payout is final already: the answer is ignored (and logged). */
  | { kind: "ignore" };

export function afterBank(current: PayoutStatus, answer: BankAnswer): PayoutStep {
  if (current === "PAID" || current === "FAILED") return { kind: "ignore" };
  if (answer.kind === "unknown") return { kind: "wait", unknown: true };
  if (answer.kind === "none") return { kind: "wait", unknown: false };
  const t = answer.transfer;
  if (t.status === "SETTLED") return { kind: "final", status: "PAID", settledAt: t.settledAt!, failureCode: null };
  if (t.status === "FAILED")
    return {
      kind: "final",
      status: "FAILED",
      settledAt: t.settledAt!,
      failureCode: t.failureCode ?? "could_not_process",
    };
  return current === "PENDING" ? { kind: "move", to: "IN_TRANSIT" } : { kind: "wait", unknown: false };
}

export const FAILURE_MESSAGES: Record<string, string> = {
  account_closed: "the destination account is closed",
  invalid_account_number: "the destination account number is not valid",
  insufficient_funds: "the account has insufficient funds",
  could_not_process: "the bank could not process the transfer",
};

/** When to look at an open payout again after its `attempts`-th bank call: 20 ms doubling, up to 5 s. */
export const nextLookMs = (attempts: number) => Math.min(20 * 2 ** Math.min(Math.max(attempts, 1), 10), 5_000);
