/**
 * `pnpm chaos`: a randomized soak of the whole system. Both services run as processes on an embedded
 * PostgreSQL, talking through proxies that drop requests and answers both ways; a killer SIGKILLs
 * random instances; PostgreSQL restarts once. Then the faults stop, and the run waits for both sides to
 * converge and checks the invariants. Exits non-zero on any violation.
 */

import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureServiceDatabases } from "@loans/db";
import { buildServices } from "@loans/db/build";
import { type EmbeddedServer, startEmbedded } from "@loans/db/embedded";
import { parseOrExit } from "@loans/shared/args";
import pg from "pg";
import type { SyncReport } from "../kit/invariants.ts";
import { type System, startSystem } from "../kit/system.ts";
import { startKiller } from "./faults.ts";
import { runLoad } from "./load.ts";
import { parseChaosArgs } from "./options.ts";
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
  const { pe: peUrl, origination: originationUrl } = databases;
  say(`seed ${opts.seed}; ${opts.agreements} agreements, drop ${opts.drop} each way, kill every ~${opts.killEvery}s`);
  const system: System = await startSystem({
    databases,
    instances: opts.instances,
    env: {
      LOG_LEVEL: "error",
      OUTBOX_BASE_DELAY_MS: "100",
      OUTBOX_MAX_DELAY_MS: "2000",
      OUTBOX_REQUEST_TIMEOUT_MS: "3000",
    },
  });
  const services = [...system.pe, ...system.origination];
  for (const [i, proxy] of [system.toOrigination, system.toPe].entries()) {
    proxy.chaos({ dropRequest: opts.drop, dropAnswer: opts.drop, seed: opts.seed + i });
  }
  const killer = startKiller(services, {
    everySeconds: opts.killEvery,
    seed: opts.seed,
    onCrash: (w) => say(`crash: ${w}`),
  });
  const started = Date.now();
  const load = runLoad({
    peUrls: () => system.pe.filter((s) => s.running).map((s) => s.url),
    count: opts.agreements,
    concurrency: opts.concurrency,
    rate: opts.rate,
    withdraw: opts.withdraw,
    seed: opts.seed,
    until: started + opts.minutes * 60_000,
  });
  let restarted = false;
  const progress = setInterval(async () => {
    const s = (Date.now() - started) / 1000;
    const c = load.counters;
    say(
      `${s.toFixed(0)}s created ${c.created}/${opts.agreements}, withdrawn ${c.withdrawn}, retries ${c.retries}, kills ${killer.counters.kills}, crashes ${killer.counters.crashes}`,
    );
    if (opts.dbRestart && !restarted && c.created >= opts.agreements / 2) {
      restarted = true;
      say("restarting PostgreSQL");
      await server.stop();
      await new Promise((r) => setTimeout(r, 1_000));
      server = await startEmbedded({ dir, port, persistent: true });
      killer.counters.dbRestarts++;
      say("PostgreSQL is back");
    }
  }, 2_000);

  const counters = await load.done;
  clearInterval(progress);
  while (opts.dbRestart && restarted && killer.counters.dbRestarts === 0) await new Promise((r) => setTimeout(r, 200));
  const faultsStopped = Date.now();
  say(`faults stop after ${((faultsStopped - started) / 1000).toFixed(1)}s; waiting for convergence`);
  await killer.calm();
  for (const proxy of [system.toOrigination, system.toPe]) proxy.set({ kind: "pass" });

  let report: SyncReport = await system.check({ settled: true });
  const deadline = Date.now() + opts.convergeSeconds * 1000;
  while (report.violations.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    report = await system.check({ settled: true });
  }
  const convergeSeconds = (Date.now() - faultsStopped) / 1000;
  const missingConfirmed = await missing(peUrl, load.confirmed);
  const notWithdrawn =
    (await notWithdrawnIn(peUrl, "agreements", "id", load.withdrawn)) +
    (await notWithdrawnIn(originationUrl, "applications", "agreement_id", load.withdrawn));
  await killer.stop();
  const proxyCounters = [system.toOrigination.counters(), system.toPe.counters()];
  await system.stop();
  await server.stop();
  await rm(dir, { recursive: true, force: true });

  const extraAgreements = report.agreements - load.confirmed.size;
  return printSummary({
    opts,
    counters,
    report,
    convergeSeconds,
    faults: killer.counters,
    proxyCounters,
    missingConfirmed,
    extraAgreements,
    notWithdrawn,
  });
}

/** Withdrawals PE confirmed whose agreement (or application) is not WITHDRAWN in that database. */
async function notWithdrawnIn(url: string, table: string, key: string, ids: Set<string>): Promise<number> {
  if (ids.size === 0) return 0;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>(
      `select count(*) as n from ${table} where ${key} = any($1::uuid[]) and status <> 'WITHDRAWN'`,
      [[...ids]],
    );
    const { rows: present } = await c.query<{ n: string }>(
      `select count(*) as n from ${table} where ${key} = any($1::uuid[])`,
      [[...ids]],
    );
    return Number(rows[0]?.n ?? 0) + (ids.size - Number(present[0]?.n ?? 0));
  } finally {
    await c.end();
  }
}

async function missing(url: string, ids: Set<string>): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ id: string }>("select id from agreements");
    const present = new Set(rows.map((r) => r.id));
    return [...ids].filter((id) => !present.has(id)).length;
  } finally {
    await c.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[chaos] failed: ${(err as Error).stack ?? err}`);
    process.exit(2);
  },
);
