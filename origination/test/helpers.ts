import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { applicationDecided } from "@loans/contracts";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { AppError, DEV_SERVICE_SECRET } from "@loans/shared";
import { signRequest } from "@loans/shared/http/service-auth";
import type { WireMessage } from "@loans/shared/outbox";
import { answerHandlers } from "@loans/shared/outbox/topic-routes";
import type { Transaction } from "kysely";
import type pg from "pg";
import { expect } from "vitest";
import { applyDecisionAck } from "../src/applications/decision-ack.ts";
import { loadOriginationConfig } from "../src/config.ts";
import type { OriginationDB } from "../src/db.ts";
import type { ScoringDeps } from "../src/scoring/scoring.service.ts";
import { startOrigination } from "../src/service.ts";

export type Origination = Awaited<ReturnType<typeof startOrigination>>;

/** A database cloned for this test file and the service on it, listening on a free port. */
export async function startTestOrigination(env: Record<string, string> = {}) {
  const database: TestDatabase = await createTestDatabase("origination");
  const service = await startOrigination(
    loadOriginationConfig({
      ORIGINATION_DATABASE_URL: database.url,
      ORIGINATION_PORT: "0",
      LOG_LEVEL: "silent",
      // No PE here: the relay's sends go to a closed port and decisions stay pending in the outbox.
      PE_URL: "http://127.0.0.1:9",
      ...env,
    }),
  );
  return { database, service };
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const monthsFromNow = (n: number) => {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() + n);
  return isoDay(d);
};

export type AgreementPayload = {
  agreementId: string;
  clientId: string;
  productCode: string;
  birthDate: string;
  monthlyIncome: string | number;
  principal: string | number;
  termMonths: number;
  interestRate: string | number;
  monthlyPayment: string | number;
  lastDueDate: string;
  applicationDate?: string;
};

/** An agreement PE would send that passes every rule: 27170.47 of 150000.00 is about 18 %. */
export const agreement = (overrides: Partial<AgreementPayload> = {}): AgreementPayload => ({
  agreementId: randomUUID(),
  clientId: randomUUID(),
  productCode: "CL1.0",
  birthDate: "1990-05-17",
  monthlyIncome: "150000.00",
  principal: "305000.00",
  termMonths: 12,
  interestRate: "12.5",
  monthlyPayment: "27170.47",
  lastDueDate: monthsFromNow(12),
  ...overrides,
});

let nextId = 1;
/** The wire form PE's relay posts; the id is PE's outbox row id, the same on every retry. */
export const message = (payload: unknown, overrides: Record<string, unknown> = {}) => ({
  id: String(nextId++),
  topic: "agreement.created",
  aggregateId: (payload as { agreementId?: string }).agreementId ?? "x",
  payload,
  createdAt: new Date().toISOString(),
  ...overrides,
});

export type Signing = "valid" | "none" | "wrong-secret" | "other-body" | "other-path" | "stale";

export async function postInternal(baseUrl: string, path: string, body: unknown, signing: Signing = "valid") {
  const raw = JSON.stringify(body);
  const sign = (secret: string, request: { path?: string; body?: string } = {}, at = Date.now()) =>
    signRequest(secret, { method: "POST", path, body: raw, ...request }, at);
  const signatures: Record<Signing, Record<string, string>> = {
    valid: sign(DEV_SERVICE_SECRET),
    none: {},
    "wrong-secret": sign("not-the-service-secret"),
    "other-body": sign(DEV_SERVICE_SECRET, { body: `${raw} ` }),
    "other-path": sign(DEV_SERVICE_SECRET, {
      path: path === "/internal/withdrawals" ? "/internal/applications" : "/internal/withdrawals",
    }),
    stale: sign(DEV_SERVICE_SECRET, {}, Date.now() - 3_600_000),
  };
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...signatures[signing] },
    body: raw,
  });
}

export interface BatchResult {
  id: string;
  outcome: "ok" | "rejected" | "retry";
  result?: { status: string; decision: unknown };
  error?: { code: string; message: string };
}

/** Posts an intake batch, expects 200, and answers the per-item results. */
export async function sendIntake(baseUrl: string, messages: unknown[]): Promise<BatchResult[]> {
  const r = await postInternal(baseUrl, "/internal/applications", { messages });
  const body = (await r.json()) as { results: BatchResult[] };
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body.results;
}

export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T }> {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as T };
}

/** Polls until `probe` answers something truthy; no timing is asserted, only a generous deadline. */
export async function waitFor<T>(probe: () => Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export const errorShape = {
  error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) },
};

/** Scoring's dependencies on the service's database, with the default thresholds and no relay to wake. */
export const scoringDeps = (db: Origination["db"]): ScoringDeps => ({
  db,
  thresholds: { minAge: 18, maxAgeAtEnd: 70, maxPtiPercent: "50" },
  afterCommit: () => {},
});

export const outboxOf = (db: Origination["db"], id: string) =>
  db.selectFrom("outbox").selectAll().where("aggregate_id", "=", id).orderBy("id").execute();

/** What the relay does when PE acknowledges the agreement's `application.decided` with `peStatus` (read by the contract). */
export async function ackDecision(db: Origination["db"], agreementId: string, peStatus: string): Promise<void> {
  const [row] = await outboxOf(db, agreementId);
  if (!row) throw new Error(`no outbox row for ${agreementId}`);
  const wire: WireMessage = {
    id: row.id,
    topic: row.topic,
    aggregateId: row.aggregate_id,
    payload: row.payload,
    createdAt: row.created_at.toISOString(),
  };
  await db
    .transaction()
    .execute((trx) => answerHandlers(applicationDecided, applyDecisionAck).onAnswer(trx, wire, { status: peStatus }));
}

const ROLLBACK = new Error("rolled back by the test");

/** Runs `fn` in a transaction that is then rolled back, so each of two ways to apply starts from the same state. */
export async function rolledBack<T>(
  db: Origination["db"],
  fn: (trx: Transaction<OriginationDB>) => Promise<T>,
): Promise<T> {
  let result: T | undefined;
  await db
    .transaction()
    .execute(async (trx) => {
      result = await fn(trx);
      throw ROLLBACK;
    })
    .catch((err) => {
      if (err !== ROLLBACK) throw err;
    });
  return result as T;
}

/** What the receiver answers for a message whose `handle` threw (shared/src/outbox/receiver.ts). */
export const refused = (err: unknown) => {
  if (!(err instanceof AppError)) throw err;
  return { outcome: "rejected", error: { code: err.code, message: err.message } };
};

/**
 * Waits, inside `holder`'s transaction (which locks the outbox as a barrier), until two sessions of this
 * database wait: for a client's advisory lock, or to insert their outbox rows.
 */
export async function waitForTwoBlocked(holder: pg.Client, what: string): Promise<void> {
  await waitFor(async () => {
    // Inside the holder's transaction pg_stat_activity would show one snapshot forever.
    await holder.query("select pg_stat_clear_snapshot()");
    const { rows } = await holder.query<{ n: number }>(
      `select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where not l.granted and l.database = (select oid from pg_database where datname = current_database())
          and (l.locktype = 'advisory' or a.query ilike '%insert into outbox (%')`,
    );
    return rows[0]?.n === 2;
  }, what);
}
