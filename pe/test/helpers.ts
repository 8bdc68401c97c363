import { randomBytes } from "node:crypto";
import { createTestDatabase } from "@loans/db/testing";
import { DEV_SERVICE_SECRET } from "@loans/shared";
import { signRequest } from "@loans/shared/http/service-auth";
import { startService } from "@loans/shared/kit/start-service";
import { operatorHeaders } from "@loans/shared/test-kit/operators";
import { sql } from "kysely";
import { loadPeConfig } from "../src/config.ts";
import { peSpec, type StartPeOptions } from "../src/service.ts";

export type TestPe = Awaited<ReturnType<typeof startTestPe>>;

/** PE in-process on its own cloned database, over real HTTP on a free port. */
export async function startTestPe(env: Record<string, string> = {}, hooks: StartPeOptions = {}) {
  const database = await createTestDatabase("pe");
  // Its own operator registry: operators (operatorHeaders) are real tokens checked by the access guard.
  const registry = await createTestDatabase("operators");
  // No Origination here: the relay's sends go to a closed port and the outbox rows stay pending.
  const spec = peSpec(
    loadPeConfig({
      PE_DATABASE_URL: database.url,
      PE_PORT: "0",
      LOG_LEVEL: "silent",
      ORIGINATION_URL: "http://127.0.0.1:9",
      OPERATORS_DATABASE_URL: registry.url,
      ...env,
    }),
  );
  const pe = await startService(spec, hooks);
  return {
    url: pe.url,
    db: pe.db,
    databaseUrl: database.url,
    async stop() {
      await pe.stop();
      await database.drop();
      await registry.drop();
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back
  body: any;
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const raw = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { ...(raw !== undefined && { "content-type": "application/json" }), ...headers },
    body: raw,
  });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the assertion message
  }
  return { status: r.status, headers: r.headers, body: parsed };
}

/**
 * A product as an admin creates it now, with four eyes: one admin asks (202, a PENDING approval), another
 * approves (200, the approval APPROVED with the product as its result). `headers` go on both (the admin
 * token, say).
 */
export async function createProduct(base: string, body: unknown, headers: Record<string, string> = {}) {
  const asked = await call(
    base,
    "POST",
    "/products",
    body,
    await operatorHeaders(base, "product-requester", "admin", headers),
  );
  if (asked.status !== 202) return { asked, approved: undefined, product: undefined };
  const approved = await call(base, "POST", `/admin/approvals/${asked.body.approval.id}/approve`, undefined, {
    ...(await operatorHeaders(base, "product-approver", "admin", headers)),
  });
  return { asked, approved, product: approved.status === 200 ? approved.body.approval.result : undefined };
}

/** A signed call to an /internal/ endpoint, as Origination's relay makes it. */
export function callInternal(base: string, path: string, body: unknown, secret = DEV_SERVICE_SECRET) {
  const raw = JSON.stringify(body);
  return call(base, "POST", path, raw, signRequest(secret, { method: "POST", path, body: raw }));
}

/** A passport no other test has used: 10 digits. */
export const newPassport = () => String(1_000_000_000 + (randomBytes(4).readUInt32BE() % 9_000_000_000)).slice(0, 10);

/** The contract's example request, for a client of its own unless a passport is given. */
export function application(overrides: { client?: Record<string, unknown>; [k: string]: unknown } = {}) {
  const { client, ...rest } = overrides;
  return {
    productCode: "CL1.0",
    client: {
      firstName: "Ivan",
      lastName: "Petrov",
      middleName: "Ivanovich",
      birthDate: "1990-05-17",
      passportNumber: newPassport(),
      email: "ivan@example.com",
      phone: "+79161234567",
      monthlyIncome: "150000.00",
      ...client,
    },
    disbursementAmount: "300000.00",
    termMonths: 12,
    interestRate: "12.5",
    originationFee: "5000.00",
    ...rest,
  };
}

export interface Counts {
  clients: number;
  agreements: number;
  schedule_payments: number;
  outbox: number;
  agreement_status_history: number;
  products: number;
}

export async function counts(pe: TestPe): Promise<Counts> {
  const { rows } = await sql<Counts>`
    select (select count(*) from clients)::int as clients,
           (select count(*) from agreements)::int as agreements,
           (select count(*) from schedule_payments)::int as schedule_payments,
           (select count(*) from outbox)::int as outbox,
           (select count(*) from agreement_status_history)::int as agreement_status_history,
           (select count(*) from products)::int as products`.execute(pe.db);
  return rows[0]!;
}

/** Runs `task(i)` for i in [0, n) with at most `width` in flight. */
export async function inParallel<T>(n: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
  return results;
}
