import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { DEV_SERVICE_SECRET } from "@loans/shared";
import { signRequest } from "@loans/shared/http/service-auth";
import { expect } from "vitest";
import { loadGatewayConfig } from "../src/config.ts";
import { startGateway } from "../src/service.ts";

export type Gateway = Awaited<ReturnType<typeof startGateway>>;

/** A database cloned for this test file and PG on it, listening on a free port; no PE behind it. */
export async function startTestGateway(env: Record<string, string> = {}) {
  const database: TestDatabase = await createTestDatabase("gateway");
  const service = await startGateway(
    loadGatewayConfig({
      GATEWAY_DATABASE_URL: database.url,
      GATEWAY_PORT: "0",
      LOG_LEVEL: "silent",
      PE_URL: "http://127.0.0.1:9",
      BANK_LATENCY_MS: "0",
      BANK_SEED: "test",
      ...env,
    }),
  );
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
