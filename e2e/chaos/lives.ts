import { setTimeout as sleep } from "node:timers/promises";
import { random } from "../kit/requests.ts";
import { type LifeCounters, type LifeEnv, live, type Outcome } from "./life.ts";
import { drawPlan, type Plan, type PlanKind } from "./plans.ts";

const OUTCOMES: Outcome[] = [
  "CLOSED",
  "LEFT_OPEN",
  "WITHDRAWN",
  "WITHDRAW_REFUSED",
  "REJECTED",
  "DISBURSEMENT_FAILED",
  "UNFINISHED",
];

export const newLifeCounters = (): LifeCounters => ({
  retries: 0,
  replays: 0,
  abandoned: 0,
  created: 0,
  disbursed: 0,
  paymentsMade: 0,
  paymentsFailed: 0,
  notPayable: 0,
  paidKopecks: 0n,
  deliveryMs: [],
  lagDays: [],
  spans: [],
  outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>,
});

/**
 * An application for a three- or four-month loan, from a client of its own whom scoring nearly always
 * approves (one in twenty earns too little): short terms, so a life ends in about a hundred days. Every
 * fourth is CL2.0 (due dates moved off non-working days, EXCEPTIONS D18), chosen by number rather than
 * drawn, so the CL1.0 lives of a seed draw what they drew before.
 */
function application(n: number, seed: number, rnd: () => number) {
  const pick = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const amount = pick(50, 300) * 1000;
  return {
    productCode: n % 4 === 3 ? "CL2.0" : "CL1.0",
    client: {
      firstName: "Ivan",
      lastName: "Petrov",
      birthDate: `${pick(1960, 2000)}-0${pick(1, 9)}-1${pick(0, 9)}`,
      passportNumber: `L${seed}X${String(n).padStart(7, "0")}`.slice(0, 20),
      email: "ivan@example.com",
      phone: "+79161234567",
      monthlyIncome: rnd() < 0.05 ? "20000.00" : `${pick(250, 900) * 1000}.00`,
    },
    disbursementAmount: `${amount}.00`,
    termMonths: pick(3, 4),
    interestRate: (8 + pick(0, 70) / 10).toFixed(1),
    originationFee: `${pick(2000, 8000)}.00`,
  };
}

/**
 * Starts `count` lives at `rate` a second, each with its own plan drawn from the seed, and answers when
 * every one has ended. Plans are drawn up front, so a seed gives the same plans whatever the timing.
 */
export function runLives(opts: {
  count: number;
  rate: number;
  withdraw: number;
  seed: number;
  env: Omit<LifeEnv, "counters">;
}) {
  const rnd = random(opts.seed);
  const plans: Plan[] = [];
  const bodies: unknown[] = [];
  for (let i = 0; i < opts.count; i++) {
    plans.push(drawPlan(rnd, opts.withdraw));
    bodies.push(application(i, opts.seed, rnd));
  }
  const counters = newLifeCounters();
  const env: LifeEnv = { ...opts.env, counters };
  let started = 0;
  const t0 = Date.now();
  const running: Promise<Outcome>[] = [];
  const done = (async () => {
    for (let i = 0; i < opts.count; i++) {
      const slot = t0 + (i * 1000) / opts.rate;
      if (slot > Date.now()) await sleep(slot - Date.now());
      started++;
      running.push(live(env, i, bodies[i], plans[i]!));
    }
    await Promise.all(running);
    return counters;
  })();
  const planned = new Map<PlanKind, number>();
  for (const p of plans) planned.set(p.kind, (planned.get(p.kind) ?? 0) + 1);
  return { done, counters, planned, started: () => started };
}
