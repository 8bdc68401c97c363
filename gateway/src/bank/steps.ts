import type { Transfer } from "./bank.ts";

/**
 * Where a payout or a payment stands with the bank × what the bank answered → what PG does (LIFECYCLE
 * §1.3, §8.8), as a pure table. `submit`: the bank may not hold the transfer yet, so it is sent (again,
 * same id); `poll`: the bank accepted it, so it is looked up; `final`: PG has recorded the outcome. An
 * unknown outcome never ends in FAILED: the bank may have moved the money. A final movement ignores
 * whatever comes later.
 */
export type BankPhase = "submit" | "poll" | "final";

export type BankAnswer =
  | { kind: "transfer"; transfer: Pick<Transfer, "status" | "failureCode" | "settledAt"> }
  /** The bank has no transfer with this id (a submit that never reached its books). */
  | { kind: "none" }
  /** The call timed out or failed: the outcome is unknown. */
  | { kind: "unknown" };

/** The bank's last word on a transfer: paid (collected) or refused, at its instant. */
export interface BankOutcome {
  outcome: "SETTLED" | "FAILED";
  settledAt: Date;
  failureCode: string | null;
}

export type BankStep =
  | ({ kind: "final" } & BankOutcome)
  /** The bank holds the transfer: poll from now on (a payout becomes IN_TRANSIT). */
  | { kind: "accepted" }
  /** Nothing changes; look again later, in the same phase. */
  | { kind: "wait"; unknown: boolean }
  /** Recorded as final already: the answer is ignored (and logged). */
  | { kind: "ignore" };

export function afterBank(phase: BankPhase, answer: BankAnswer): BankStep {
  if (phase === "final") return { kind: "ignore" };
  if (answer.kind === "unknown") return { kind: "wait", unknown: true };
  if (answer.kind === "none") return { kind: "wait", unknown: false };
  const t = answer.transfer;
  if (t.status === "SETTLED") return { kind: "final", outcome: "SETTLED", settledAt: t.settledAt!, failureCode: null };
  if (t.status === "FAILED")
    return {
      kind: "final",
      outcome: "FAILED",
      settledAt: t.settledAt!,
      failureCode: t.failureCode ?? "could_not_process",
    };
  return phase === "submit" ? { kind: "accepted" } : { kind: "wait", unknown: false };
}

export const FAILURE_MESSAGES: Record<string, string> = {
  account_closed: "the account is closed",
  invalid_account_number: "the account number is not valid",
  insufficient_funds: "the account has insufficient funds",
  could_not_process: "the bank could not process the transfer",
};

export const failureMessage = (code: string | null): string | null =>
  code === null ? null : (FAILURE_MESSAGES[code] ?? code);

/** When to look at an open movement again after its `attempts`-th bank call: 20 ms doubling, up to 5 s. */
export const nextLookMs = (attempts: number) => Math.min(20 * 2 ** Math.min(Math.max(attempts, 1), 10), 5_000);
