import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { account } from "../kit/disbursement.ts";
import { type ClientCounters, send } from "./client.ts";
import type { Plan } from "./plans.ts";
import { type LoanView, nextStep, type Purpose, wantsQuote } from "./repay-step.ts";

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
  let failNext = plan.failFirst;
  let payments = 0;
  let today = disbursedOn;
  const span = () => c.spans.push({ n, kind: plan.kind, days: daysBetween(disbursedOn, today), payments });

  // The quote for today, as the amount PE quotes; null when PE gives none (the loan closed meanwhile, say).
  const payoffQuote = async (): Promise<string | null> => {
    const q = await send(env.peUrls, "GET", `/agreements/${id}/payoff-quote`, c);
    return q.status === 200 ? q.body.amount : null;
  };

  const memory = { partlyPaid: new Map<number, string>(), prepaid: false };
  for (;;) {
    const a = await agreement();
    if (a.status !== "ACTIVE" && a.status !== "CLOSED") throw new Error(`${id} is ${a.status} while being repaid`);
    today = a.status === "CLOSED" ? a.closedOn : a.businessDate;
    const quote = a.status === "ACTIVE" && wantsQuote(plan, disbursedOn, today) ? await payoffQuote() : null;
    const step = nextStep(a, plan, disbursedOn, memory, quote);
    if (step.do === "end") {
      if (step.outcome === "CLOSED") span();
      return step.outcome;
    }
    if (env.clock.stopped()) {
      span();
      throw new Unfinished(`${id} still ACTIVE when the clock stopped (${today}): ${bill(a)}`);
    }
    if (step.do === "wait") {
      await env.clock.reach(step.until);
      continue;
    }
    if (step.remember && "halfOf" in step.remember) memory.partlyPaid.set(step.remember.halfOf, today);
    if (step.remember && "prepaid" in step.remember) memory.prepaid = true;
    const paid = await pay(env, id, step.amount, step.purpose, { fromEmptyAccount: failNext, billDate: today });
    if (paid === "FAILED") failNext = false;
    if (paid === "MADE") payments++;
  }
}

/**
 * One payment through PG, waited on until the bank has settled it and, when collected, until PE's ledger
 * shows it: a real client does not pay twice for one bill. `fromEmptyAccount` pays from an account with no
 * money (`…9903`), which the bank refuses.
 */
async function pay(
  env: LifeEnv,
  id: string,
  amount: bigint,
  purpose: Purpose,
  opts: { fromEmptyAccount: boolean; billDate: string },
): Promise<"MADE" | "FAILED" | "NOT_PAYABLE"> {
  const c = env.counters;
  const payer = opts.fromEmptyAccount ? account(Number(BigInt(`0x${id.slice(0, 6)}`)), "9903") : account(7);
  const r = await send(env.gatewayUrls, "POST", "/payments", c, {
    body: { agreementId: id, amount: money(amount), purpose, payer: { accountNumber: payer } },
    key: randomUUID(),
  });
  if (r.status === 422 && r.body?.error?.code === "AGREEMENT_NOT_PAYABLE") {
    c.notPayable++;
    await sleep(500);
    return "NOT_PAYABLE";
  }
  if (r.status !== 202) throw new Error(`PG refused a payment for ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  const paymentId: string = r.body.id;
  const accepted = Date.now();
  const final = await poll(env, `payment ${paymentId} of ${id} to leave the bank`, async () => {
    const p = await send(env.gatewayUrls, "GET", `/payments/${paymentId}`, c);
    return p.body?.status === "SUCCEEDED" || p.body?.status === "FAILED" ? p.body.status : null;
  });
  if (final === "FAILED") {
    c.paymentsFailed++;
    return "FAILED";
  }
  c.paymentsMade++;
  c.paidKopecks += amount;
  const valued = await poll(env, `payment ${paymentId} to reach PE`, () => valueDate(env, id, paymentId));
  c.deliveryMs.push(Date.now() - accepted);
  c.lagDays.push(daysBetween(opts.billDate, valued));
  return "MADE";
}

/** Asks `f` until it answers, backing off; an answer that takes longer than a wait may last leaves the life unfinished. */
async function poll<T>(env: LifeEnv, what: string, f: () => Promise<T | null>): Promise<T> {
  const end = Date.now() + env.waitMs;
  for (let wait = 200; ; wait = Math.min(1_500, wait * 1.5)) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() > end) throw new Unfinished(`gave up waiting for ${what}`);
    await sleep(wait);
  }
}

/** What the client saw last of a loan it could not finish: the balances and each period's state. */
function bill(a: LoanView): string {
  const periods = a.schedule.map(
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
