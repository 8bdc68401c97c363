/**
 * What one loan's client means to do, drawn from the seed. The kinds are exclusive; `failFirst` (the first
 * payment from an account with no money, `…9903`) and `overpay` combine with the repaying kinds.
 */
export type PlanKind =
  | "ON_TIME"
  | "LATE"
  | "PARTIAL"
  | "PAYOFF"
  | "PREPAY"
  | "LEFT_OPEN"
  | "WITHDRAW"
  | "DISBURSEMENT_FAILS";

export interface Plan {
  kind: PlanKind;
  /** Days after a due date the client pays (LATE: 1–10; else 0). */
  lateDays: number;
  /** Days before a due date an on-time client pays (the funds wait for the due date): 0–3. */
  leadDays: number;
  /** PAYOFF: days after the disbursement the client asks for the quote and pays it. PREPAY: pays a part. */
  earlyOnDay: number;
  /** PARTIAL: days between the first half of an installment and the rest. */
  partialGapDays: number;
  /** Kopecks paid on top of the last payment (refunded on closing); 0 for none. */
  overpayKopecks: number;
  failFirst: boolean;
}

/** Shares of each kind, in order; what is left over is ON_TIME. `withdraw` is the option's share. */
const SHARES: Array<[PlanKind, number]> = [
  ["DISBURSEMENT_FAILS", 0.03],
  ["LEFT_OPEN", 0.03],
  ["LATE", 0.2],
  ["PARTIAL", 0.12],
  ["PAYOFF", 0.14],
  ["PREPAY", 0.06],
];

export function drawPlan(rnd: () => number, withdraw: number): Plan {
  const pick = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  let kind: PlanKind = "ON_TIME";
  let x = rnd();
  if (x < withdraw) kind = "WITHDRAW";
  else {
    x = (x - withdraw) / Math.max(1e-9, 1 - withdraw);
    for (const [k, share] of SHARES) {
      if (x < share) {
        kind = k;
        break;
      }
      x -= share;
    }
  }
  const repays = kind !== "WITHDRAW" && kind !== "DISBURSEMENT_FAILS";
  return {
    kind,
    lateDays: kind === "LATE" ? pick(1, 10) : 0,
    leadDays: pick(0, 3),
    earlyOnDay: kind === "PAYOFF" || kind === "PREPAY" ? pick(3, 80) : 0,
    partialGapDays: kind === "PARTIAL" ? pick(2, 8) : 0,
    overpayKopecks: repays && kind !== "LEFT_OPEN" && rnd() < 0.1 ? pick(1, 50_000) : 0,
    failFirst: repays && rnd() < 0.07,
  };
}
