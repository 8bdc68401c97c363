/**
 * `pnpm chaos`: a randomized soak of the whole system through whole loan lives. The three services run as
 * processes on an embedded PostgreSQL, every hop between two of them through a proxy that drops requests
 * and answers both ways; a killer SIGKILLs random instances of any service; PostgreSQL restarts once; the
 * simulated bank fails and loses answers. PE runs on a manual clock that a clock lane moves a day at a
 * time while each loan's client applies, takes the money and repays by its plan. Then the faults stop, the
 * run waits for every outbox to empty and checks LIFECYCLE §3.2 by SQL on the three databases, and
 * recomputes a sample of loans with the pure core. Exits non-zero on any violation.
 */

import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureServiceDatabases } from "@loans/db";
import { buildServices } from "@loans/db/build";
import { type EmbeddedServer, startEmbedded } from "@loans/db/embedded";
import { parseOrExit } from "@loans/shared/args";
import { rows, type SyncReport } from "../kit/invariants.ts";
import { checkMoney } from "../kit/money.ts";
import { type System, startSystem } from "../kit/system.ts";
import { checkTransfers } from "./bank.ts";
import { startClock } from "./clock.ts";
import { startKiller } from "./faults.ts";
import { runLives } from "./lives.ts";
import { parseChaosArgs } from "./options.ts";
import { recomputeSample } from "./recompute.ts";
import { printSummary } from "./summary.ts";

const opts = parseOrExit(() => parseChaosArgs(process.argv.slice(2)));
const say = (line: string) => process.stdout.write(`[chaos] ${line}\n`);

async function main(): Promise<number> {
  await buildServices();
  const dir = await mkdtemp(join(tmpdir(), "loans-chaos-"));
  await chmod(dir, 0o755);
  let server: EmbeddedServer = await startEmbedded({ dir, persistent: true });
  const port = server.port;
  const databases = await ensureServiceDatabases(server.url);
  say(
    `seed ${opts.seed}; ${opts.loans} loans, drop ${opts.drop} each way on every hop, kill every ~${opts.killEvery}s, ` +
      `bank failures ${opts.bankFailureRate}, unknown outcomes ${opts.bankErrorRate}`,
  );
  const system: System = await startSystem({
    databases,
    instances: opts.instances,
    env: {
      LOG_LEVEL: "error",
      OUTBOX_BASE_DELAY_MS: "100",
      OUTBOX_MAX_DELAY_MS: "2000",
      OUTBOX_REQUEST_TIMEOUT_MS: "3000",
      BUSINESS_CLOCK: "manual",
      BUSINESS_DATE_START: opts.start,
      BANK_LATENCY_MS: opts.bankLatency,
      BANK_FAILURE_RATE: String(opts.bankFailureRate),
      BANK_ERROR_RATE: String(opts.bankErrorRate),
      BANK_SEED: String(opts.seed),
    },
  });
  // The four hops that carry messages: both directions of PE ⇄ Origination and of PE ⇄ PG.
  const hops = [...system.hops.entries()].filter(([name]) => name.split("->").includes("pe"));
  for (const [i, [, proxy]] of hops.entries())
    proxy.chaos({ dropRequest: opts.drop, dropAnswer: opts.drop, seed: opts.seed + i });
  const killer = startKiller([...system.pe, ...system.origination, ...system.gateway], {
    everySeconds: opts.killEvery,
    seed: opts.seed,
    onCrash: (w) => say(`crash: ${w}`),
  });
  const up = (list: System["pe"]) => () => list.filter((s) => s.running).map((s) => s.url);
  const errors: string[] = [];
  const notes: string[] = [];
  const clock = startClock({
    peUrls: up(system.pe),
    start: opts.start,
    daysPerSecond: opts.daysPerSecond,
    maxDays: opts.maxDays,
    client: { retries: 0, replays: 0, abandoned: 0 },
  });
  clock.done.catch((err) => errors.push(`clock lane: ${(err as Error).message}`));
  const started = Date.now();
  const faultyUntil = started + opts.minutes * 60_000;
  const lives = runLives({
    count: opts.loans,
    rate: opts.rate,
    withdraw: opts.withdraw,
    seed: opts.seed,
    env: {
      peUrls: up(system.pe),
      gatewayUrls: up(system.gateway),
      clock,
      waitMs: opts.convergeSeconds * 1000,
      note: (line) => notes.length < 50 && notes.push(line),
    },
  });

  let restarted = false;
  const progress = setInterval(async () => {
    const s = (Date.now() - started) / 1000;
    const c = lives.counters;
    say(
      `${s.toFixed(0)}s ${clock.today()}: started ${lives.started()}/${opts.loans}, disbursed ${c.disbursed}, ` +
        `payments ${c.paymentsMade}, closed ${c.outcomes.CLOSED}, retries ${c.retries}, ` +
        `kills ${killer.counters.kills}, crashes ${killer.counters.crashes}`,
    );
    if (opts.dbRestart && !restarted && c.created >= opts.loans / 2) {
      restarted = true;
      say("restarting PostgreSQL");
      await server.stop();
      await sleep(1_000);
      server = await startEmbedded({ dir, port, persistent: true });
      killer.counters.dbRestarts++;
      say("PostgreSQL is back");
    }
  }, 5_000);

  // The faults act while the lives run, for `minutes` at most; the lives then finish without them.
  await Promise.race([lives.done, sleep(Math.max(0, faultyUntil - Date.now()))]);
  while (restarted && killer.counters.dbRestarts === 0) await sleep(200);
  const faultsStopped = Date.now();
  say(`faults stop after ${((faultsStopped - started) / 1000).toFixed(1)}s`);
  await killer.calm();
  for (const [, proxy] of hops) proxy.set({ kind: "pass" });
  const counters = await lives.done;
  clearInterval(progress);
  await clock.stop();
  say(`lives ended after ${((Date.now() - started) / 1000).toFixed(1)}s on ${clock.today()}; waiting for convergence`);

  const { sync, converged } = await atRest(system, opts.convergeSeconds * 1000);
  if (!converged) for (const line of await stuckDeliveries(system)) say(line);
  const convergeSeconds = (Date.now() - faultsStopped) / 1000;
  const money = await checkMoney(system);
  const transfers = await checkTransfers(databases.gateway);
  const sample = await recomputeSample({
    peDb: databases.pe,
    peUrl: system.peUrl,
    size: opts.sample,
    seed: opts.seed,
  });
  const statuses = Object.fromEntries(
    (
      await rows<{ status: string; n: string }>(
        databases.pe,
        "select status, count(*)::text n from agreements group by 1 order by 1",
      )
    ).map((r) => [r.status, Number(r.n)]),
  );
  await killer.stop();
  const hopCounters = hops.map(([name, p]) => [name, p.counters()] as [string, ReturnType<typeof p.counters>]);
  await system.stop();
  await server.stop();
  await rm(dir, { recursive: true, force: true });

  return printSummary({
    opts,
    lives: counters,
    planned: lives.planned,
    clock: clock.counters,
    sync,
    money,
    transfers,
    sample,
    statuses,
    convergeSeconds,
    converged,
    faults: killer.counters,
    hops: hopCounters,
    notes,
    errors,
  });
}

/**
 * Waits until the system is at rest: the services agree, every outbox is empty in the three databases,
 * no payout or payment is still with the bank. Answers the last report and whether it got there.
 */
async function atRest(system: System, withinMs: number): Promise<{ sync: SyncReport; converged: boolean }> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const sync = await system.check({ settled: true });
    const [open] = await rows<{ n: string }>(
      system.databases.gateway,
      "select count(*)::text n from payments where status = 'PROCESSING'",
    );
    if (sync.violations.length === 0 && Number(open!.n) === 0) return { sync, converged: true };
    if (Date.now() > deadline) return { sync, converged: false };
    await sleep(500);
  }
}

/** What still waits in each outbox, and each destination's health: the lines to read when a run does not settle. */
async function stuckDeliveries(system: System): Promise<string[]> {
  const lines: string[] = [];
  for (const [name, url] of Object.entries(system.databases)) {
    const waiting = await rows<Record<string, unknown>>(
      url,
      `select d.message_id, d.destination, d.topic, d.aggregate_id, d.attempts, d.claims, d.next_attempt_at,
              d.leased_until, left(d.last_error, 120) as last_error, now() as now
       from outbox_deliveries d where d.delivered_at is null and d.dead_at is null order by d.message_id limit 20`,
    );
    const destinations = await rows<Record<string, unknown>>(url, "select * from outbox_destinations");
    for (const w of waiting) lines.push(`${name} waiting: ${JSON.stringify(w)}`);
    for (const d of destinations) lines.push(`${name} destination: ${JSON.stringify(d)}`);
  }
  return lines;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[chaos] failed: ${(err as Error).stack ?? err}`);
    process.exit(2);
  },
);
