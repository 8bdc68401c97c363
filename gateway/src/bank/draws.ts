import { createHash } from "node:crypto";
import type { TransferDirection } from "./bank.ts";

/**
 * The simulated bank's chance and its fixed rules, as pure functions: every random draw is a hash of
 * (seed, transfer id, operation, call number, purpose), so one seed replays a run call for call, whatever
 * the order transfers interleave in, and across restarts (the call numbers are in the bank's tables).
 */
export function draw(seed: string, ...key: Array<string | number>): number {
  const h = createHash("sha256")
    .update(JSON.stringify([seed, ...key]))
    .digest();
  return h.readUInt32BE(0) / 0x1_0000_0000;
}

export interface BankBehaviour {
  latency: { minMs: number; maxMs: number };
  /** Probability that an accepted transfer is refused with `could_not_process`. */
  failureRate: number;
  /** Probability that a call's outcome is unknown (a timeout). */
  errorRate: number;
  seed: string;
}

/** Failures fixed by the account's last four digits (LIFECYCLE §2.7). */
export function suffixRule(accountNumber: string): {
  failure?: "account_closed" | "invalid_account_number" | "insufficient_funds";
  transientErrors?: number;
} {
  switch (accountNumber.slice(-4)) {
    case "9901":
      return { failure: "account_closed" };
    case "9902":
      return { failure: "invalid_account_number" };
    case "9903":
      return { failure: "insufficient_funds" };
    case "9904":
      return { transientErrors: 3 };
    default:
      return {};
  }
}

export interface TransferPlan {
  outcome: "SETTLED" | "FAILED";
  failureCode: string | null;
  /** From acceptance to settlement; 0 for a refusal on the spot. */
  latencyMs: number;
}

/**
 * What the bank decides for a new transfer when a submit reaches its books. Insufficient funds is a
 * payer's problem: a payout into a `…9903` account is paid.
 */
export function plan(b: BankBehaviour, id: string, accountNumber: string, direction: TransferDirection): TransferPlan {
  const rule = suffixRule(accountNumber);
  if (rule.failure === "insufficient_funds" && direction === "OUT") delete rule.failure;
  const span = b.latency.maxMs - b.latency.minMs;
  const latencyMs = b.latency.minMs + Math.floor(draw(b.seed, id, "latency") * (span + 1));
  // An invalid account number is refused on the spot; the others are found out at settlement.
  if (rule.failure === "invalid_account_number") return { outcome: "FAILED", failureCode: rule.failure, latencyMs: 0 };
  if (rule.failure) return { outcome: "FAILED", failureCode: rule.failure, latencyMs };
  if (draw(b.seed, id, "failure") < b.failureRate)
    return { outcome: "FAILED", failureCode: "could_not_process", latencyMs };
  return { outcome: "SETTLED", failureCode: null, latencyMs };
}

/**
 * Whether the call numbered `n` of this transfer and operation has an unknown outcome, and for a submit,
 * whether the bank recorded it before the answer was lost. `…9904` accounts fail their first three submits.
 */
export function callFate(
  b: BankBehaviour,
  id: string,
  op: "submit" | "get",
  n: number,
  accountNumber?: string,
): "ok" | "lost-before" | "lost-after" {
  const transient = accountNumber ? (suffixRule(accountNumber).transientErrors ?? 0) : 0;
  if (op === "submit" && n <= transient) return "lost-before";
  if (draw(b.seed, id, op, n, "error") >= b.errorRate) return "ok";
  if (op === "get") return "lost-before";
  return draw(b.seed, id, op, n, "recorded") < 0.5 ? "lost-before" : "lost-after";
}
