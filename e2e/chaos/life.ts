import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { account } from "../kit/disbursement.ts";
import { addDays } from "../kit/servicing.ts";
import { type ClientCounters, send } from "./client.ts";
import type { Plan } from "./plans.ts";

/** How a life ended. UNFINISHED: the clock ran out, or a wait never ended; reported as a breach. */
export type Outcome =
  | "CLOSED"
  | "LEFT_OPEN"
  | "WITHDRAWN"
  | "WITHDRAW_REFUSED"
  | "REJECTED"
  | "DISBURSEMENT_FAILED"
  | "UNFINISHED";

export interface LifeCounters extends ClientCounters {
  created: number;
  disbursed: number;
  /** Payments PG collected (SUCCEEDED), those the bank refused, and 422 AGREEMENT_NOT_PAYABLE answers. */
  paymentsMade: number;
  paymentsFailed: number;
  notPayable: number;
  /** Kopecks the clients saw collected: PE's money in must be exactly this. */
  paidKopecks: bigint;
  outcomes: Record<Outcome, number>;
  /** Per collected payment: wall milliseconds from PG's 202 to PE's ledger showing it. */
  deliveryMs: number[];
  /** Per collected payment: business days from the client's reading of the bill to the payment's value date. */
  lagDays: number[];
  /** Per repaid life: business days from the disbursement to its end, and the payments it took. */
  spans: LifeSpan[];
}

export interface LifeSpan {
  n: number;
  kind: string;
  days: number;
  payments: number;
}

export interface LifeEnv {
  peUrls: () => string[];
  gatewayUrls: () => string[];
  counters: LifeCounters;
  clock: { reach(date: string): Promise<void>; stopped(): boolean };
  /** How long one wait for the system (a decision, the payout, a payment to reach PE) may last: then UNFINISHED. */
  waitMs: number;
  /** A note about an unfinished life, for the summary. */
  note: (line: string) => void;
}

interface Period {
  period: number;
  dueDate: string;
  principal: string;
  interest: string;
  paidPrincipal: string;
  paidInterest: string;
  status: string;
}

const kopecks = (s: string) => {
  const [whole, frac = ""] = s.split(".");
  const sign = whole!.startsWith("-") ? -1n : 1n;
  return sign * (BigInt(whole!.replace("-", "")) * 100n + BigInt(frac.padEnd(2, "0").slice(0, 2)));
};
const money = (k: bigint) => `${k / 100n}.${String(k % 100n).padStart(2, "0")}`;

class Unfinished extends Error {}

/** One loan from application to its end, as a client who follows `plan` and retries like a real one. */
export async function live(env: LifeEnv, n: number, body: unknown, plan: Plan): Promise<Outcome> {
  const c = env.counters;
  const outcome = await lifeOf(env, n, body, plan).catch((err) => {
    env.note(`loan #${n} (${plan.kind}): ${(err as Error).message}`);
    return "UNFINISHED" as const;
  });
  c.outcomes[outcome]++;
  return outcome;
}

async function lifeOf(env: LifeEnv, n: number, body: unknown, plan: Plan): Promise<Outcome> {
  const c = env.counters;
  const pe = (method: string, path: string, opts?: { body?: unknown; key?: string }) =>
    send(env.peUrls, method, path, c, opts);
  const created = await pe("POST", "/agreements", { body, key: randomUUID() });
  if (created.status !== 201)
    throw new Error(`PE refused the application: ${created.status} ${JSON.stringify(created.body)}`);
  c.created++;
  const id: string = created.body.id;
  const agreement = async () => (await pe("GET", `/agreements/${id}`)).body;
  const until = async (statuses: string[]) => {
    const end = Date.now() + env.waitMs;
    for (let wait = 200; ; wait = Math.min(1_000, wait * 1.5)) {
      const a = await agreement();
      if (statuses.includes(a.status)) return a;
      if (Date.now() > end) throw new Unfinished(`${id} still ${a.status}, waiting for ${statuses}`);
      await sleep(wait);
    }
  };

  const decided = await until(["APPROVED", "REJECTED"]);
  if (decided.status === "REJECTED") return "REJECTED";
  if (plan.kind === "WITHDRAW") {
    const w = await pe("POST", `/agreements/${id}/withdraw`);
    return w.status === 200 ? "WITHDRAWN" : "WITHDRAW_REFUSED";
  }
  const destination = { accountNumber: plan.kind === "DISBURSEMENT_FAILS" ? account(n, "9901") : account(n) };
  const d = await pe("POST", `/agreements/${id}/disburse`, { body: { destination }, key: randomUUID() });
  if (d.status !== 202) throw new Error(`disburse ${id}: ${d.status} ${JSON.stringify(d.body)}`);
  const active = await until(["ACTIVE", "DISBURSEMENT_FAILED"]);
  if (active.status === "DISBURSEMENT_FAILED") return "DISBURSEMENT_FAILED";
  c.disbursed++;
  return repay(env, n, id, active.disbursement.disbursedOn, plan, agreement);
}

async function repay(
  env: LifeEnv,
  n: number,
  id: string,
  disbursedOn: string,
  plan: Plan,
  // biome-ignore lint/suspicious/noExplicitAny: the agreement as PE shows it
  agreement: () => Promise<any>,
): Promise<Outcome> {
  const c = env.counters;
  const earlyOn = addDays(disbursedOn, plan.earlyOnDay);
  const partlyPaid = new Map<number, string>();
  let failNext = plan.failFirst;
  let prepaid = false;
  let paidPeriods = 0;
  let payments = 0;
  let today = disbursedOn;
  const span = () => c.spans.push({ n, kind: plan.kind, days: daysBetween(disbursedOn, today), payments });

  const pay = async (amount: bigint, purpose: "REGULAR" | "EARLY_REPAYMENT") => {
    const payer = failNext ? account(Number(BigInt(`0x${id.slice(0, 6)}`)), "9903") : account(7);
    const r = await send(env.gatewayUrls, "POST", "/payments", c, {
      body: { agreementId: id, amount: money(amount), purpose, payer: { accountNumber: payer } },
      key: randomUUID(),
    });
    if (r.status === 422 && r.body?.error?.code === "AGREEMENT_NOT_PAYABLE") {
      c.notPayable++;
      await sleep(500);
      return;
    }
    if (r.status !== 202) throw new Error(`PG refused a payment for ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    const paymentId: string = r.body.id;
    const accepted = Date.now();
    const final = await poll(`payment ${paymentId} of ${id} to leave the bank`, async () => {
      const p = await send(env.gatewayUrls, "GET", `/payments/${paymentId}`, c);
      return p.body?.status === "SUCCEEDED" || p.body?.status === "FAILED" ? p.body.status : null;
    });
    if (final === "FAILED") {
      c.paymentsFailed++;
      failNext = false;
      return;
    }
    c.paymentsMade++;
    c.paidKopecks += amount;
    payments++;
    // Wait for PE to have it before reading the loan again: a real client does not pay twice for one bill.
    const valued = await poll(`payment ${paymentId} to reach PE`, () => valueDate(env, id, paymentId));
    c.deliveryMs.push(Date.now() - accepted);
    c.lagDays.push(daysBetween(today, valued));
  };
  const poll = async <T>(what: string, f: () => Promise<T | null>): Promise<T> => {
    const end = Date.now() + env.waitMs;
    for (let wait = 200; ; wait = Math.min(1_500, wait * 1.5)) {
      const v = await f();
      if (v !== null) return v;
      if (Date.now() > end) throw new Unfinished(`gave up waiting for ${what}`);
      await sleep(wait);
    }
  };

  for (;;) {
    const a = await agreement();
    if (a.status === "CLOSED") {
      today = a.closedOn;
      span();
      return "CLOSED";
    }
    if (a.status !== "ACTIVE") throw new Error(`${id} is ${a.status} while being repaid`);
    today = a.businessDate;
    const periods = a.schedule as Period[];
    const unpaid = periods.filter((p) => p.status !== "PAID");
    paidPeriods = periods.length - unpaid.length;
    if (plan.kind === "LEFT_OPEN" && paidPeriods >= 1) return "LEFT_OPEN";
    if (env.clock.stopped()) {
      span();
      throw new Unfinished(`${id} still ACTIVE when the clock stopped (${today}): ${bill(a)}`);
    }
    const overpay = BigInt(plan.overpayKopecks);

    if (plan.kind === "PAYOFF" && today >= earlyOn) {
      const q = await send(env.peUrls, "GET", `/agreements/${id}/payoff-quote`, c);
      if (q.status === 200) {
        const amount = kopecks(q.body.amount) + overpay;
        if (amount > 0n) await pay(amount, "EARLY_REPAYMENT");
        else await env.clock.reach(addDays(today, 1));
        continue;
      }
    }
    if (plan.kind === "PREPAY" && !prepaid && today >= earlyOn) {
      prepaid = true;
      const part = (kopecks(a.balances.principalOutstanding) * 3n) / 10n;
      if (part > 0n) {
        await pay(part, "EARLY_REPAYMENT");
        continue;
      }
    }
    const k = unpaid[0];
    if (!k) {
      // Everything paid, not closed yet: the daily job closes it (or a penalty is still being posted).
      await env.clock.reach(addDays(today, 1));
      continue;
    }
    const target = plan.kind === "LATE" ? addDays(k.dueDate, plan.lateDays) : addDays(k.dueDate, -plan.leadDays);
    const partAt = partlyPaid.get(k.period);
    const next = partAt ? addDays(partAt, plan.partialGapDays) : target;
    const wake = plan.kind === "PAYOFF" && earlyOn < next ? earlyOn : next;
    if (today < wake) {
      await env.clock.reach(wake);
      continue;
    }
    // The bill: everything due by k's date or by today. A payment can spend days on the way, find the next
    // installment due and pay it first (353-FZ's order puts it before the penalty); a client that then paid
    // only up to k would chase that installment with penalty-sized payments for months of business days.
    let amount = -kopecks(a.balances.unappliedFunds) + kopecks(a.balances.penaltyOutstanding);
    for (const p of unpaid)
      if (p.dueDate <= k.dueDate || p.dueDate <= today)
        amount += kopecks(p.principal) + kopecks(p.interest) - kopecks(p.paidPrincipal) - kopecks(p.paidInterest);
    if (amount <= 0n) {
      await env.clock.reach(addDays(today, 1));
      continue;
    }
    if (plan.kind === "PARTIAL" && !partAt && amount > 1n) {
      partlyPaid.set(k.period, today);
      amount /= 2n;
    } else if (k === unpaid.at(-1)) amount += overpay;
    await pay(amount, "REGULAR");
  }
}

/** What the client saw last of a loan it could not finish: the balances and each period's state. */
// biome-ignore lint/suspicious/noExplicitAny: the agreement as PE shows it
function bill(a: any): string {
  const periods = (a.schedule as Period[]).map(
    (p) =>
      `#${p.period} ${p.dueDate} ${p.status} paid ${p.paidPrincipal}+${p.paidInterest} of ${p.principal}+${p.interest}`,
  );
  return `${JSON.stringify(a.balances)}; ${periods.join("; ")}`;
}

const daysBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;

/** The value date PE's ledger gives the payment (its first journal), or null while the ledger does not show it. */
async function valueDate(env: LifeEnv, id: string, paymentId: string): Promise<string | null> {
  let cursor = "";
  for (;;) {
    const r = await send(
      env.peUrls,
      "GET",
      `/agreements/${id}/transactions?limit=100${cursor && `&cursor=${cursor}`}`,
      env.counters,
    );
    if (r.status !== 200) return null;
    const found = r.body.items.find((t: { paymentId: string | null }) => t.paymentId === paymentId);
    if (found) return found.on;
    if (!r.body.nextCursor) return null;
    cursor = r.body.nextCursor;
  }
}
