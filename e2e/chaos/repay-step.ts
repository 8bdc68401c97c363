import { addDays } from "../kit/servicing.ts";
import type { Plan } from "./plans.ts";

/** One period of an agreement as PE shows it (GET /agreements/{id}), the fields a client reads. */
export interface Period {
  period: number;
  dueDate: string;
  principal: string;
  interest: string;
  paidPrincipal: string;
  paidInterest: string;
  status: string;
}

/** What a repaying client reads of its loan. */
export interface LoanView {
  status: string;
  businessDate: string;
  schedule: Period[];
  balances: { principalOutstanding: string; penaltyOutstanding: string; unappliedFunds: string };
}

/** What a client remembers between its readings of the loan. */
export interface Memory {
  /** PARTIAL: the day the first half of each period was paid. */
  partlyPaid: ReadonlyMap<number, string>;
  /** PREPAY: the part has been paid. */
  prepaid: boolean;
}

export type Purpose = "REGULAR" | "EARLY_REPAYMENT";

export type Step =
  | { do: "end"; outcome: "CLOSED" | "LEFT_OPEN" }
  | { do: "wait"; until: string }
  | { do: "pay"; amount: bigint; purpose: Purpose; remember?: { halfOf: number } | { prepaid: true } };

export const kopecks = (s: string): bigint => {
  const [whole, frac = ""] = s.split(".");
  const sign = whole!.startsWith("-") ? -1n : 1n;
  return sign * (BigInt(whole!.replace("-", "")) * 100n + BigInt(frac.padEnd(2, "0").slice(0, 2)));
};

/** PAYOFF: from its day on, the client asks PE for the quote before deciding (nextStep's `quote`). */
export const wantsQuote = (plan: Plan, disbursedOn: string, today: string): boolean =>
  plan.kind === "PAYOFF" && today >= addDays(disbursedOn, plan.earlyOnDay);

/**
 * What a client following `plan` does next, from what it reads of its loan today (and, for a payoff, the
 * quote PE gave for today, or null): end, wait for a business date, or pay. Pure; the life's shell (life.ts)
 * does the requests.
 */
export function nextStep(a: LoanView, plan: Plan, disbursedOn: string, memory: Memory, quote: string | null): Step {
  if (a.status === "CLOSED") return { do: "end", outcome: "CLOSED" };
  const today = a.businessDate;
  const tomorrow: Step = { do: "wait", until: addDays(today, 1) };
  const unpaid = a.schedule.filter((p) => p.status !== "PAID");
  if (plan.kind === "LEFT_OPEN" && unpaid.length < a.schedule.length) return { do: "end", outcome: "LEFT_OPEN" };
  const overpay = BigInt(plan.overpayKopecks);
  const earlyOn = addDays(disbursedOn, plan.earlyOnDay);

  if (quote !== null) {
    const amount = kopecks(quote) + overpay;
    return amount > 0n ? { do: "pay", amount, purpose: "EARLY_REPAYMENT" } : tomorrow;
  }
  if (plan.kind === "PREPAY" && !memory.prepaid && today >= earlyOn) {
    const part = (kopecks(a.balances.principalOutstanding) * 3n) / 10n;
    if (part > 0n) return { do: "pay", amount: part, purpose: "EARLY_REPAYMENT", remember: { prepaid: true } };
  }
  const k = unpaid[0];
  // Everything paid, not closed yet: the daily job closes it (or a penalty is still being posted).
  if (!k) return tomorrow;
  const target = plan.kind === "LATE" ? addDays(k.dueDate, plan.lateDays) : addDays(k.dueDate, -plan.leadDays);
  const halfOn = memory.partlyPaid.get(k.period);
  const next = halfOn ? addDays(halfOn, plan.partialGapDays) : target;
  const wake = plan.kind === "PAYOFF" && earlyOn < next ? earlyOn : next;
  if (today < wake) return { do: "wait", until: wake };

  const amount = bill(a, k, today);
  if (amount <= 0n) return tomorrow;
  if (plan.kind === "PARTIAL" && !halfOn && amount > 1n)
    return { do: "pay", amount: amount / 2n, purpose: "REGULAR", remember: { halfOf: k.period } };
  return { do: "pay", amount: k === unpaid.at(-1) ? amount + overpay : amount, purpose: "REGULAR" };
}

/**
 * The bill: the penalty, and every installment due by k's date or by today, less the funds waiting. A
 * payment can spend days on the way, find the next installment due and pay it first (353-FZ's order puts
 * it before the penalty); a client that then paid only up to k would chase that installment with
 * penalty-sized payments for months of business days.
 */
function bill(a: LoanView, k: Period, today: string): bigint {
  let amount = kopecks(a.balances.penaltyOutstanding) - kopecks(a.balances.unappliedFunds);
  for (const p of a.schedule) {
    if (p.status === "PAID" || (p.dueDate > k.dueDate && p.dueDate > today)) continue;
    amount += kopecks(p.principal) + kopecks(p.interest) - kopecks(p.paidPrincipal) - kopecks(p.paidInterest);
  }
  return amount;
}
