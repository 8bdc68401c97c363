import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { DEV_SERVICE_SECRET } from "@loans/shared";
import { signRequest } from "@loans/shared/http/service-auth";
import { waitFor } from "@loans/shared/test-kit/wait";
import { expect } from "vitest";
import { loadGatewayConfig } from "../src/config.ts";
import { startGateway } from "../src/service.ts";

export type Gateway = Awaited<ReturnType<typeof startGateway>>;

/** PG on an existing database, listening on a free port; no PE behind it unless PE_URL says. */
export const startGatewayOn = (databaseUrl: string, env: Record<string, string> = {}) =>
  startGateway(
    loadGatewayConfig({
      GATEWAY_DATABASE_URL: databaseUrl,
      GATEWAY_PORT: "0",
      LOG_LEVEL: "silent",
      PE_URL: "http://127.0.0.1:9",
      BANK_LATENCY_MS: "0",
      BANK_SEED: "test",
      ...env,
    }),
  );

/** A database cloned for this test file and PG on it, listening on a free port; no PE behind it. */
export async function startTestGateway(env: Record<string, string> = {}) {
  const database: TestDatabase = await createTestDatabase("gateway");
  const service = await startGatewayOn(database.url, env);
  return {
    database,
    service,
    async stop() {
      await service.stop();
      await database.drop();
    },
  };
}

export const account = (suffix = "0001") => `4081781000000000${suffix}`;

export const order = (overrides: Record<string, unknown> = {}) => ({
  payoutId: randomUUID(),
  kind: "DISBURSEMENT",
  agreementId: randomUUID(),
  amount: "300000.00",
  currency: "RUB",
  destination: { accountNumber: account() },
  ...overrides,
});

let nextId = 1;
export const message = (topic: string, payload: Record<string, unknown>) => ({
  id: String(nextId++),
  topic,
  aggregateId: (payload.agreementId as string | undefined) ?? "x",
  payload,
  createdAt: new Date().toISOString(),
});

export interface BatchResult {
  id: string;
  outcome: "ok" | "rejected" | "retry";
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever came back
  result?: any;
  error?: { code: string; message: string };
}

export async function postBatch(baseUrl: string, path: string, messages: unknown[]): Promise<BatchResult[]> {
  const raw = JSON.stringify({ messages });
  const r = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...signRequest(DEV_SERVICE_SECRET, { method: "POST", path, body: raw }),
    },
    body: raw,
  });
  const body = (await r.json()) as { results: BatchResult[] };
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body.results;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back
export const getJson = async (url: string): Promise<any> => (await fetch(url)).json();

/** Orders a DISBURSEMENT for a new agreement and waits until PG has paid it: the agreement takes payments. */
export async function disbursed(baseUrl: string, overrides: Record<string, unknown> = {}) {
  const o = order(overrides);
  await postBatch(baseUrl, "/internal/payouts", [message("payout.requested", o)]);
  const paid = await waitFor(async () => {
    const p = await getJson(`${baseUrl}/payouts/${o.payoutId}`);
    return p.status === "PAID" || p.status === "FAILED" ? p : null;
  });
  return { agreementId: o.agreementId, payoutId: o.payoutId, status: paid.status as string };
}

export const paymentBody = (agreementId: string, overrides: Record<string, unknown> = {}) => ({
  agreementId,
  amount: "1000.00",
  payer: { accountNumber: account() },
  ...overrides,
});

/** POST /payments; a `key` of null sends no Idempotency-Key. */
export async function pay(baseUrl: string, body: unknown, key: string | null = randomUUID()) {
  const r = await fetch(`${baseUrl}/payments`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key !== null && { "Idempotency-Key": key }) },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back
  const json = (await r.json()) as any;
  return { status: r.status, body: json, headers: r.headers };
}

/** Waits until the payment is final, and answers it as GET /payments/{id} shows it. */
export const finalPayment = (baseUrl: string, id: string) =>
  waitFor(async () => {
    const p = await getJson(`${baseUrl}/payments/${id}`);
    return p.status === "SUCCEEDED" || p.status === "FAILED" ? p : null;
  });

export const statusChanged = (agreementId: string, status: string) =>
  message("agreement.status-changed", { agreementId, status, on: "2025-01-15", at: "2025-01-15T10:00:00.000Z" });
