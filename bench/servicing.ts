/**
 * The servicing phases of `pnpm bench` (issue 17), each beside a baseline:
 *
 * 1. **payments applied end to end**: PE, Origination and the Payment Gateway as processes on fresh
 *    databases, PE's manual clock, `BANK_LATENCY_MS=0`. N ACTIVE loans are prepared through the APIs
 *    (created, approved, disbursed through PG, ACTIVE), then `concurrency` payers in a closed loop each
 *    post one installment to PG (`POST /payments`, a new Idempotency-Key each) and wait until PE has
 *    applied it (its row in PE's `payments`) before posting the next. Baseline: the same loop over another
 *    N loans of the same system, each payment sent straight to PE's `POST /internal/payments` as a signed
 *    batch of one, the way PG's relay sends it; the answer comes once it is applied. The ratio is what PG,
 *    its bank worker and its relay add to a payment.
 * 2. **the daily job's rate**: one loan made through the APIs and brought by the daily job to the day
 *    before its first due date, cloned in SQL into `loans` ACTIVE loans (every row PE wrote for it, with
 *    new ids), then POST /admin/business-date `cobDays` days ahead, across the due date: overdue marking
 *    and a penalty a day. Baseline: the same move on a copy of the same database done as one pg-boss job
 *    per agreement-day (bench/baseline/cob.ts), running PE's own `cobAgreementDay` in `cobWorkers` workers.
 *
 * Per phase: the rate, latency, CPU seconds of each process (services, PostgreSQL, the bench and the
 * baseline runner), commits, WAL and (with pg_stat_statements) statements per operation.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { dropDatabase, ensureDatabase, withDatabase } from "@loans/db";
import { SERVICE_NODE_FLAGS } from "@loans/db/services";
import { type System, startSystem } from "@loans/e2e/kit/system";
import { DEV_SERVICE_SECRET } from "@loans/shared/config";
import type { ClaimedMessage } from "@loans/shared/outbox/claim";
import { createSender } from "@loans/shared/outbox/send";
import pg from "pg";
import { Agent } from "undici";
import { cobBaselinePath } from "./baseline/build.ts";
import { type CpuSeconds, cpuMeter, serverCpuMeter } from "./cpu.ts";
import { type DbActivity, dbMeter } from "./dbstats.ts";
import { line, now, type Percentiles, percentiles, sleep } from "./load.ts";

export interface ServicingPlan {
  peServer: string;
  originationServer: string;
  run: string;
  direct: boolean;
  /** Payers in flight at once in the payments loop. */
  concurrency: number;
  /** Loans paid once each in the payments phase, per path (PG, and the direct baseline). */
  payments: number;
  /** ACTIVE loans the daily job runs over. */
  loans: number;
  /** Days the business date moves in the daily-job phase. */
  cobDays: number;
  /** pg-boss jobs in flight at once in the daily job's baseline. */
  cobWorkers: number;
  postmaster?: number;
  statements: boolean;
}

/** Where the time went over one measured loop. */
export interface Cost {
  seconds: number;
  operations: number;
  cpuSeconds: CpuSeconds;
  db: DbActivity;
}

export interface PaymentsPath extends Cost {
  perSec: number;
  /** POST (or signed batch) sent → the payment's row in PE (`received_at`: its transaction's start). */
  latency: Percentiles;
  response: Percentiles;
  errors: number;
  firstError?: string;
  /** PE's payments rows for the ids sent (each applied once: the primary key is PG's payment id). */
  applied: number;
  appliedAmount: string;
  sentAmount: string;
}

export interface PaymentsResult {
  n: number;
  concurrency: number;
  prepare: { loans: number; seconds: number };
  gateway: PaymentsPath;
  direct: PaymentsPath;
  checks: string[];
}

export interface CobRun extends Cost {
  agreementDaysPerSec: number;
  /** Agreements whose last_cob_date is the new date afterwards. */
  advanced: number;
  overduePeriods: number;
  penaltyTotal: string;
}

export interface CobResult {
  loans: number;
  days: number;
  from: string;
  to: string;
  prepare: { seconds: number; cloneSeconds: number };
  batched: CobRun & { perDay: unknown };
  pgBoss: CobRun & { workers: number; runnerSeconds: number };
  checks: string[];
}

const START = "2025-01-10";
const DISBURSE_ON = "2025-01-15";
/** The day before the first due date (2025-02-15) of a loan disbursed on DISBURSE_ON. */
const COB_FROM = "2025-02-14";

const serviceEnv = (extra: Record<string, string> = {}) => ({
  LOG_LEVEL: "warn",
  BUSINESS_CLOCK: "manual",
  BUSINESS_DATE_START: START,
  BANK_LATENCY_MS: "0",
  ...extra,
});

const agent = new Agent({ headersTimeout: 0, bodyTimeout: 0, connections: 64 });

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await agent.request({
    origin: base,
    path,
    method: method as "GET",
    headers: { ...(body !== undefined && { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads whatever JSON came back
  return { status: res.statusCode, body: (text ? JSON.parse(text) : undefined) as any };
}

const expectStatus = <R extends { status: number; body: unknown }>(r: R, status: number, what: string): R => {
  if (r.status !== status) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r;
};

async function lanes(n: number, concurrency: number, work: (i: number) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < n) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
}

/** A 20-digit account number. */
const account = (n: number) => `40817810${String(n).padStart(12, "0")}`;

/** `n` agreements scoring approves (a client of 35 with a large income each), created through PE. */
async function createApproved(system: System, n: number, tag: string, concurrency = 8): Promise<string[]> {
  const ids: string[] = [];
  await lanes(n, concurrency, async (i) => {
    const r = await call(system.peUrl, "POST", "/agreements", {
      productCode: "CL1.0",
      client: {
        firstName: "Ivan",
        lastName: "Petrov",
        birthDate: "1990-05-17",
        passportNumber: `${tag}${String(i).padStart(7, "0")}`.slice(0, 20),
        email: "ivan@example.com",
        phone: "+79161234567",
        monthlyIncome: "500000.00",
      },
      disbursementAmount: "300000.00",
      termMonths: 12,
      interestRate: "12.5",
      originationFee: "5000.00",
    });
    ids.push(expectStatus(r, 201, "POST /agreements").body.id);
  });
  return ids;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 600_000) {
  const start = now();
  while (!(await check())) {
    if (now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function count(pool: pg.Pool, text: string, values: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(text, values);
  return Number(rows[0]!.n);
}

/** Creates, approves, disburses through PG and waits ACTIVE: `n` loans disbursed on DISBURSE_ON. */
async function activeLoans(system: System, pe: pg.Pool, n: number, tag: string): Promise<string[]> {
  const ids = await createApproved(system, n, tag);
  await waitUntil(`${n} agreements to be decided`, async () => {
    return (
      (await count(
        pe,
        "select count(*)::int as n from agreements where id = any($1::uuid[]) and status in ('APPROVED','REJECTED')",
        [ids],
      )) === n
    );
  });
  const approved = (
    await pe.query<{ id: string }>("select id from agreements where id = any($1::uuid[]) and status = 'APPROVED'", [
      ids,
    ])
  ).rows.map((r) => r.id);
  if (approved.length !== n) throw new Error(`${n - approved.length} of ${n} agreements were not approved`);
  const today = (await call(system.peUrl, "GET", "/admin/business-date")).body.date as string;
  if (today < DISBURSE_ON) await moveDate(system, DISBURSE_ON);
  await lanes(n, 8, async (i) => {
    const r = await call(system.peUrl, "POST", `/agreements/${approved[i]}/disburse`, {
      destination: { accountNumber: account(i + 1) },
    });
    expectStatus(r, 202, "POST /agreements/{id}/disburse");
  });
  await waitUntil(`${n} loans to be ACTIVE`, async () => {
    const c = await count(
      pe,
      "select count(*)::int as n from agreements where id = any($1::uuid[]) and status = 'ACTIVE'",
      [approved],
    );
    return c === n;
  });
  return approved;
}

async function moveDate(system: System, date: string) {
  return expectStatus(await call(system.peUrl, "POST", "/admin/business-date", { date }), 200, `move to ${date}`).body;
}

const databasesOf = (p: ServicingPlan, phase: string) => {
  const names = {
    pe: `bench_${p.run}_${phase}_pe`,
    origination: `bench_${p.run}_${phase}_or`,
    gateway: `bench_${p.run}_${phase}_gw`,
  };
  const servers = { pe: p.peServer, origination: p.originationServer, gateway: p.originationServer };
  const urls = {
    pe: withDatabase(servers.pe, names.pe),
    origination: withDatabase(servers.origination, names.origination),
    gateway: withDatabase(servers.gateway, names.gateway),
  };
  return {
    names,
    urls,
    async create() {
      for (const k of ["pe", "origination", "gateway"] as const) await ensureDatabase(servers[k], names[k]);
    },
    async drop() {
      for (const k of ["pe", "origination", "gateway"] as const)
        await dropDatabase(servers[k], names[k]).catch(() => {});
    },
    /** The databases on PE's server, for the statistics. */
    onPeServer: (["pe", "origination", "gateway"] as const)
      .filter((k) => servers[k] === p.peServer)
      .map((k) => names[k]),
  };
};

/** Starts the meters; `stop(operations)` answers the cost of what ran in between. */
async function meter(p: ServicingPlan, system: System | undefined, databases: string[]) {
  const dbs = await dbMeter(p.peServer, databases, p.statements);
  const cpu = system ? await cpuMeter(system, p.postmaster) : await serverCpuMeter(p.postmaster);
  const start = now();
  return {
    async stop(operations: number): Promise<Cost> {
      const seconds = (now() - start) / 1000;
      const cpuSeconds = await cpu.since();
      const db = await dbs.since(12);
      return { seconds, operations, cpuSeconds, db };
    },
  };
}

/** Phase 1: payments applied end to end through PG, beside the same payments sent straight to PE. */
export async function paymentsPhase(p: ServicingPlan): Promise<PaymentsResult> {
  const dbs = databasesOf(p, "svcpay");
  await dbs.create();
  line(`[payments] starting PE, Origination and the Payment Gateway (manual clock, BANK_LATENCY_MS=0)`);
  const system = await startSystem({ databases: dbs.urls, direct: p.direct, env: serviceEnv() });
  const pe = new pg.Pool({ connectionString: dbs.urls.pe, max: 2 });
  try {
    const warm = Math.min(20, p.payments);
    const total = 2 * (p.payments + warm);
    const t0 = now();
    line(`[payments] preparing ${total} ACTIVE loans through the APIs (create, approve, disburse through PG)`);
    const loans = await activeLoans(system, pe, total, `SP${p.run.slice(0, 4)}X`);
    const prepare = { loans: total, seconds: (now() - t0) / 1000 };
    line(`[payments] ${total} loans ACTIVE in ${prepare.seconds.toFixed(1)} s`);
    const installment = (
      await pe.query<{ payment: string }>(
        "select payment::text from schedule_payments where agreement_id = $1 and period = 1",
        [loans[0]],
      )
    ).rows[0]!.payment;

    const [gwWarm, gwLoans, dWarm, dLoans] = [
      loans.slice(0, warm),
      loans.slice(warm, warm + p.payments),
      loans.slice(warm + p.payments, 2 * warm + p.payments),
      loans.slice(2 * warm + p.payments),
    ];
    const viaGateway = gatewayPayer(system, pe, installment);
    const direct = directPayer(system, pe, installment);
    try {
      await runLoop(p, "PG warm-up", gwWarm, viaGateway);
      const gateway = await measured(p, system, dbs.onPeServer, "PG → bank → PE", gwLoans, viaGateway, pe, installment);
      await runLoop(p, "direct warm-up", dWarm, direct);
      const straight = await measured(p, system, dbs.onPeServer, "straight to PE", dLoans, direct, pe, installment);
      const checks: string[] = [];
      for (const [name, r] of [
        ["PG", gateway],
        ["direct", straight],
      ] as const) {
        if (r.errors > 0) checks.push(`${name}: ${r.errors} errors, first: ${r.firstError}`);
        if (r.applied !== p.payments) checks.push(`${name}: ${r.applied} of ${p.payments} payments applied in PE`);
        if (r.appliedAmount !== r.sentAmount)
          checks.push(`${name}: PE applied ${r.appliedAmount}, the payers sent ${r.sentAmount}`);
      }
      return { n: p.payments, concurrency: p.concurrency, prepare, gateway, direct: straight, checks };
    } finally {
      await viaGateway.close();
      await direct.close();
    }
  } finally {
    await pe.end();
    await system.stop();
    await dbs.drop();
  }
}

interface Payer {
  /** Pays `amount` on the loan; resolves with PG's (or the bench's) payment id once PE has applied it. */
  pay(agreementId: string, i: number): Promise<{ id: string; sentAt: number; responseMs: number }>;
  close(): Promise<void>;
}

/** The client's way: POST /payments to PG, then wait for the payment's row in PE. */
function gatewayPayer(system: System, pe: pg.Pool, amount: string): Payer {
  const base = system.gateway[0]!.url;
  // One poller for every payer waiting: a query every 5 ms for the ids in flight.
  const waiting = new Map<string, () => void>();
  let stopped = false;
  const poller = (async () => {
    while (!stopped) {
      if (waiting.size > 0) {
        const { rows } = await pe.query<{ id: string }>("select id::text from payments where id = any($1::uuid[])", [
          [...waiting.keys()],
        ]);
        for (const r of rows) {
          waiting.get(r.id)?.();
          waiting.delete(r.id);
        }
      }
      await sleep(5);
    }
  })();
  return {
    async pay(agreementId, i) {
      const sentAt = now();
      const r = await call(
        base,
        "POST",
        "/payments",
        { agreementId, amount, purpose: "REGULAR", payer: { accountNumber: account(i + 1) } },
        { "Idempotency-Key": randomUUID() },
      );
      const responseMs = now() - sentAt;
      const id = expectStatus(r, 202, "POST /payments").body.id as string;
      await new Promise<void>((resolve) => waiting.set(id, resolve));
      return { id, sentAt, responseMs };
    },
    async close() {
      stopped = true;
      await poller;
    },
  };
}

/** The baseline: payment.succeeded as PG's relay sends it, a signed batch of one, straight to PE. */
function directPayer(system: System, _pe: pg.Pool, amount: string): Payer {
  const sender = createSender({ secret: DEV_SERVICE_SECRET, connectTimeoutMs: 5_000, requestTimeoutMs: 60_000 });
  let seq = 0;
  return {
    async pay(agreementId, i) {
      const id = randomUUID();
      const payload = {
        paymentId: id,
        agreementId,
        amount,
        purpose: "REGULAR",
        payer: { accountNumber: account(i + 1) },
        succeededAt: new Date().toISOString(),
      };
      const message: ClaimedMessage = {
        id: `bench-${++seq}`,
        topic: "payment.succeeded",
        aggregateId: agreementId,
        payloadJson: JSON.stringify(payload),
        createdAt: new Date(),
        attempts: 1,
      };
      const sentAt = now();
      const outcomes = await sender.send(`${system.peUrl}/internal/payments`, [message]);
      const o = outcomes.get(message.id);
      if (o?.outcome !== "ok") throw new Error(`PE answered ${JSON.stringify(o)}`);
      return { id, sentAt, responseMs: now() - sentAt };
    },
    close: () => sender.close(),
  };
}

interface LoopResult {
  sent: Array<{ id: string; sentAt: number; responseMs: number }>;
  errors: number;
  firstError?: string;
  seconds: number;
}

async function runLoop(p: ServicingPlan, label: string, loans: string[], payer: Payer): Promise<LoopResult> {
  const sent: LoopResult["sent"] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = now();
  const ticker = setInterval(() => {
    line(`[payments ${label}] ${Math.round((now() - start) / 1000)} s: ${sent.length} of ${loans.length} applied`);
  }, 2_000);
  try {
    await lanes(loans.length, p.concurrency, async (i) => {
      try {
        sent.push(await payer.pay(loans[i]!, i));
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
    });
  } finally {
    clearInterval(ticker);
  }
  return { sent, errors, firstError, seconds: (now() - start) / 1000 };
}

async function measured(
  p: ServicingPlan,
  system: System,
  databases: string[],
  label: string,
  loans: string[],
  payer: Payer,
  pe: pg.Pool,
  amount: string,
): Promise<PaymentsPath> {
  const m = await meter(p, system, databases);
  const r = await runLoop(p, label, loans, payer);
  const cost = await m.stop(r.sent.length);
  const { rows } = await pe.query<{ id: string; at: number }>(
    "select id::text, extract(epoch from received_at) * 1000 as at from payments where id = any($1::uuid[])",
    [r.sent.map((s) => s.id)],
  );
  const sum = await pe.query<{ s: string | null }>(
    "select sum(amount)::text as s from payments where id = any($1::uuid[])",
    [r.sent.map((s) => s.id)],
  );
  const at = new Map(rows.map((x) => [x.id, Number(x.at)]));
  const latency = percentiles(r.sent.flatMap((s) => (at.has(s.id) ? [at.get(s.id)! - s.sentAt] : [])));
  const perSec = r.sent.length / r.seconds;
  line(
    `[payments ${label}] ${r.sent.length} applied in ${r.seconds.toFixed(1)} s: ${perSec.toFixed(0)}/s, POST → applied p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms`,
  );
  return {
    ...cost,
    seconds: r.seconds,
    perSec,
    latency,
    response: percentiles(r.sent.map((s) => s.responseMs)),
    errors: r.errors,
    firstError: r.firstError,
    applied: rows.length,
    appliedAmount: sum.rows[0]!.s ?? "0",
    sentAmount: (Number(amount) * r.sent.length).toFixed(2),
  };
}

/**
 * Clones the loan `source` into `copies` more in PE's database: every row PE wrote for it (client,
 * agreement, status history, schedule, schedule versions, ledger), with new ids, the way PE itself
 * wrote them. Tables are read from the catalogue, so a column added later is copied too.
 */
export async function cloneLoan(peUrl: string, source: string, copies: number): Promise<void> {
  const c = new pg.Client({ connectionString: peUrl });
  await c.connect();
  try {
    await c.query("begin");
    await c.query(
      `create temp table clone_map on commit drop as
       select n, gen_random_uuid() as id, gen_random_uuid() as client_id, gen_random_uuid() as disbursement_id
       from generate_series(1, $1::int) n`,
      [copies],
    );
    const journals = (
      await c.query<{ lo: string; hi: string; base: string }>(
        `select min(journal_id)::text as lo, max(journal_id)::text as hi,
                (select last_value from ledger_journal_seq)::text as base
         from ledger_entries where agreement_id = $1`,
        [source],
      )
    ).rows[0]!;
    const span = Number(journals.hi ?? 0) - Number(journals.lo ?? 0) + 1;
    const overrides: Record<string, Record<string, string>> = {
      clients: { id: "m.client_id", passport_number: "'BENCHCLONE' || m.n" },
      agreements: {
        id: "m.id",
        client_id: "m.client_id",
        disbursement_id: "m.disbursement_id",
        idempotency_key: "null",
        request_hash: "null",
      },
      ledger_entries: {
        journal_id: `${journals.base}::bigint + (m.n - 1) * ${span} + (s.journal_id - ${journals.lo ?? 0}) + 1`,
      },
    };
    const filters: Record<string, string> = {
      clients: "s.id = (select client_id from agreements where id = $1)",
      agreements: "s.id = $1",
    };
    const tables = [
      "clients",
      "agreements",
      "agreement_status_history",
      "schedule_payments",
      "schedule_versions",
      "ledger_entries",
      "penalty_accruals",
    ];
    for (const table of tables) {
      const cols = (
        await c.query<{ name: string }>(
          `select column_name as name from information_schema.columns
           where table_schema = 'public' and table_name = $1 and is_identity = 'NO' and is_generated = 'NEVER'
           order by ordinal_position`,
          [table],
        )
      ).rows.map((r) => r.name);
      const exprs = cols.map((col) => overrides[table]?.[col] ?? (col === "agreement_id" ? "m.id" : `s.${col}`));
      await c.query(
        `insert into ${table} (${cols.join(", ")})
         select ${exprs.join(", ")} from ${table} s cross join clone_map m
         where ${filters[table] ?? "s.agreement_id = $1"}`,
        [source],
      );
    }
    if (journals.lo !== null)
      await c.query("select setval('ledger_journal_seq', $1::bigint)", [Number(journals.base) + copies * span + 1]);
    await c.query("commit");
    await c.query("analyze");
  } catch (err) {
    await c.query("rollback").catch(() => {});
    throw err;
  } finally {
    await c.end();
  }
}

/** An agreement as GET /agreements/{id} shows it, with its own ids in the source's place. */
const withIdsOf = (a: Record<string, unknown>, from: Record<string, string>) => {
  let text = JSON.stringify(a);
  for (const [mine, theirs] of Object.entries(from)) text = text.replaceAll(mine, theirs);
  return text;
};

async function cobFigures(url: string, to: string) {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query<{ advanced: number; overdue: number; penalty: string | null }>(
      `select (select count(*)::int from agreements where status = 'ACTIVE' and last_cob_date = $1) as advanced,
              (select count(*)::int from schedule_payments where status = 'OVERDUE') as overdue,
              (select sum(amount)::text from penalty_accruals) as penalty`,
      [to],
    );
    const r = rows[0]!;
    return { advanced: r.advanced, overduePeriods: r.overdue, penaltyTotal: r.penalty ?? "0" };
  } finally {
    await pool.end();
  }
}

const addDaysIso = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Phase 2: the daily job over `loans` ACTIVE loans for `cobDays` days, beside one pg-boss job per agreement-day. */
export async function cobPhase(p: ServicingPlan): Promise<CobResult> {
  const dbs = databasesOf(p, "svccob");
  const copyName = `bench_${p.run}_svccob_pe_boss`;
  const copyUrl = withDatabase(p.peServer, copyName);
  await dbs.create();
  line(`[daily job] starting the services (manual clock from ${START})`);
  const system = await startSystem({ databases: dbs.urls, direct: p.direct, env: serviceEnv() });
  const to = addDaysIso(COB_FROM, p.cobDays);
  try {
    const t0 = now();
    const pe = new pg.Pool({ connectionString: dbs.urls.pe, max: 2 });
    let source: string;
    let cloneSeconds: number;
    try {
      [source] = (await activeLoans(system, pe, 1, `SC${p.run.slice(0, 4)}X`)) as [string];
      await moveDate(system, COB_FROM);
      const t1 = now();
      line(`[daily job] cloning the loan ${p.loans - 1} times in SQL`);
      await cloneLoan(dbs.urls.pe, source, p.loans - 1);
      cloneSeconds = (now() - t1) / 1000;
      // One clone read back through the API: the same loan as the source, but for its ids.
      const clone = (
        await pe.query<{ id: string; client_id: string; disbursement_id: string }>(
          "select id, client_id, disbursement_id from agreements where id <> $1 and status = 'ACTIVE' limit 1",
          [source],
        )
      ).rows[0];
      const original = (
        await pe.query<{ id: string; client_id: string; disbursement_id: string; passport_number: string }>(
          "select a.id, a.client_id, a.disbursement_id, c.passport_number from agreements a join clients c on c.id = a.client_id where a.id = $1",
          [source],
        )
      ).rows[0]!;
      if (clone) {
        const a = expectStatus(await call(system.peUrl, "GET", `/agreements/${source}`), 200, "GET source").body;
        const b = expectStatus(await call(system.peUrl, "GET", `/agreements/${clone.id}`), 200, "GET clone").body;
        const mapped = withIdsOf(b, {
          [clone.id]: original.id,
          [clone.client_id]: original.client_id,
          [clone.disbursement_id]: original.disbursement_id,
        });
        const sourceText = JSON.stringify(a);
        // The client's passport is not in the agreement's view; everything else must match.
        if (mapped !== sourceText)
          throw new Error(`a cloned loan reads differently from its source:\n${mapped}\n${sourceText}`);
        line(`[daily job] clone ${clone.id} reads as its source ${source} does (GET /agreements/{id})`);
      }
    } finally {
      await pe.end();
    }
    const prepare = { seconds: (now() - t0) / 1000, cloneSeconds };

    // A copy for the baseline: PE must let go of its database while it is taken.
    await system.pe[0]!.kill("SIGTERM");
    await dropDatabase(p.peServer, copyName).catch(() => {});
    await withAdmin(p.peServer, (c) => c.query(`create database ${copyName} template ${dbs.names.pe}`));
    await system.pe[0]!.start();

    line(`[daily job] POST /admin/business-date ${COB_FROM} → ${to}: ${p.loans} loans × ${p.cobDays} days`);
    const m = await meter(p, system, [dbs.names.pe]);
    const moved = await moveDate(system, to);
    const cost = await m.stop(p.loans * p.cobDays);
    const batchedFigures = await cobFigures(dbs.urls.pe, to);
    const batched = {
      ...cost,
      agreementDaysPerSec: (p.loans * p.cobDays) / cost.seconds,
      ...batchedFigures,
      perDay: moved.cob,
    };
    line(
      `[daily job] batched in PE: ${cost.seconds.toFixed(1)} s, ${batched.agreementDaysPerSec.toFixed(0)} agreement-days/s`,
    );

    line(`[daily job] pg-boss baseline: one job per agreement-day, ${p.cobWorkers} workers, on a copy`);
    const mb = await meter(p, undefined, [copyName]);
    const runner = await runCobBaseline(copyUrl, to, p.cobWorkers);
    const bcost = await mb.stop(p.loans * p.cobDays);
    bcost.cpuSeconds = { "cob-baseline": Math.round(runner.cpuSeconds * 100) / 100, ...bcost.cpuSeconds };
    const bossFigures = await cobFigures(copyUrl, to);
    const pgBoss = {
      ...bcost,
      seconds: runner.seconds,
      runnerSeconds: runner.seconds,
      agreementDaysPerSec: runner.agreementDays / runner.seconds,
      workers: p.cobWorkers,
      ...bossFigures,
    };
    line(
      `[daily job] pg-boss baseline: ${runner.seconds.toFixed(1)} s, ${pgBoss.agreementDaysPerSec.toFixed(0)} agreement-days/s`,
    );
    const checks: string[] = [];
    for (const [name, r] of [
      ["batched", batched],
      ["pg-boss", pgBoss],
    ] as const) {
      if (r.advanced !== p.loans) checks.push(`${name}: ${r.advanced} of ${p.loans} agreements advanced to ${to}`);
    }
    if (runner.agreementDays !== p.loans * p.cobDays)
      checks.push(`pg-boss: ${runner.agreementDays} agreement-days done, not ${p.loans * p.cobDays}`);
    if (batched.overduePeriods !== pgBoss.overduePeriods || batched.penaltyTotal !== pgBoss.penaltyTotal)
      checks.push(
        `the two runs disagree: overdue ${batched.overduePeriods} / ${pgBoss.overduePeriods}, penalty ${batched.penaltyTotal} / ${pgBoss.penaltyTotal}`,
      );
    return {
      loans: p.loans,
      days: p.cobDays,
      from: COB_FROM,
      to,
      prepare,
      batched,
      pgBoss,
      checks,
    };
  } finally {
    await system.stop();
    await dbs.drop();
    await dropDatabase(p.peServer, copyName).catch(() => {});
  }
}

async function withAdmin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

interface RunnerOutput {
  agreementDays: number;
  seconds: number;
  cpuSeconds: number;
  days: unknown[];
}

function runCobBaseline(url: string, to: string, workers: number): Promise<RunnerOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, cobBaselinePath()], {
      env: { ...process.env, PE_DATABASE_URL: url, COB_TO: to, COB_WORKERS: String(workers), LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`the daily job's baseline exited ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").at(-1)!) as RunnerOutput);
      } catch {
        reject(new Error(`the daily job's baseline printed no result: ${out.slice(-500)} ${err.slice(-1000)}`));
      }
    });
  });
}
