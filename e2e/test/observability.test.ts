import { waitFor } from "@loans/shared/test-kit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../kit/client.ts";
import { rows } from "../kit/invariants.ts";
import { agreementBody, makeClients, random } from "../kit/requests.ts";
import type { System } from "../kit/system.ts";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

// What an operator sees: /metrics on both services moves with traffic, and the logs follow one request
// id from PE's POST /agreements to Origination's decision, with no personal data in the clear.

let test: TestSystem;
let system: System;
const logs = { pe: [] as Record<string, unknown>[], origination: [] as Record<string, unknown>[] };

beforeAll(async () => {
  test = await startTestSystem({ LOG_LEVEL: "info" });
  ({ system } = test);
  const read = (into: Record<string, unknown>[]) => (line: string) => {
    try {
      into.push(JSON.parse(line));
    } catch {
      // not a log line (a stack trace printed by something else)
    }
  };
  system.pe[0]!.onLine = read(logs.pe);
  system.origination[0]!.onLine = read(logs.origination);
});
afterAll(async () => {
  await test?.stop();
});

/** The Prometheus text format as { "name{labels}": value }, labels in the order the service printed them. */
async function scrape(base: string): Promise<Map<string, number>> {
  const r = await fetch(`${base}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toContain("text/plain");
  const samples = new Map<string, number>();
  for (const line of (await r.text()).split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** The sum of every sample of `name` whose labels include all of `labels`. */
function sum(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const [key, value] of samples) {
    if (!(key === name || key.startsWith(`${name}{`))) continue;
    if (Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) total += value;
  }
  return total;
}

const N = 6;

describe("metrics and logs after traffic", () => {
  const requestIds = Array.from({ length: N }, (_, i) => `obs-test-${i}-${Date.now()}`);
  const bodies = makeClients(N, random(11), "OBS").map((c) => agreementBody(c, random(3)));
  const ids: string[] = [];

  beforeAll(async () => {
    const before = await scrape(system.peUrl);
    expect(sum(before, "http_request_duration_seconds_count", { route: "/agreements", status: "201" })).toBe(0);
    for (const [i, body] of bodies.entries()) {
      const r = await api(system.peUrl, "POST", "/agreements", body, { "X-Request-Id": requestIds[i]! });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      ids.push(r.body.id);
    }
    await waitFor(async () => {
      const r = await system.check();
      return r.violations.length === 0 && r.converged === N ? r : null;
    });
  });

  it("PE counts the requests, the deliveries and their latency, and shows an empty outbox", async () => {
    const pe = await scrape(system.peUrl);
    expect(
      sum(pe, "http_request_duration_seconds_count", { method: "POST", route: "/agreements", status: "201" }),
    ).toBe(N);
    // Origination's decisions arrive in batches on /internal/decisions.
    expect(
      sum(pe, "http_request_duration_seconds_count", { route: "/internal/decisions", status: "200" }),
    ).toBeGreaterThan(0);
    expect(sum(pe, "outbox_delivery_attempts_total", { topic: "agreement.created", outcome: "ok" })).toBe(N);
    expect(sum(pe, "outbox_delivery_latency_seconds_count", { topic: "agreement.created" })).toBe(N);
    expect(sum(pe, "outbox_relay_batch_size_messages_sum", { topic: "agreement.created" })).toBe(N);
    expect(sum(pe, "outbox_received_messages_total", { topic: "application.decided", outcome: "ok" })).toBe(N);
    expect(pe.get('outbox_pending_messages{topic="agreement.created",service="pe"}')).toBe(0);
    expect(pe.get('outbox_dead_messages{topic="agreement.created",service="pe"}')).toBe(0);
    expect(pe.get('outbox_oldest_pending_age_seconds{topic="agreement.withdrawn",service="pe"}')).toBe(0);
    expect(sum(pe, "pgboss_queue_jobs", { queue: "outbox-sweep-pe" })).toBeGreaterThanOrEqual(0);
    expect(pe.has('pgboss_queue_jobs{queue="outbox-purge-pe",state="queued",service="pe"}')).toBe(true);
    expect(sum(pe, "process_resident_memory_bytes")).toBeGreaterThan(10 * 1024 * 1024);
  });

  it("Origination counts intake, decisions by result and reason, and the deliveries back", async () => {
    const o = await scrape(system.origination[0]!.url);
    expect(sum(o, "outbox_received_messages_total", { topic: "agreement.created", outcome: "ok" })).toBe(N);
    expect(sum(o, "scoring_decisions_total")).toBe(N);
    const rejected = sum(o, "scoring_decisions_total", { result: "REJECTED" });
    expect(sum(o, "scoring_decisions_total", { result: "APPROVED", reason: "none" })).toBe(N - rejected);
    expect(sum(o, "outbox_delivery_attempts_total", { topic: "application.decided", outcome: "ok" })).toBe(N);
    expect(o.get('outbox_pending_messages{topic="application.decided",service="origination"}')).toBe(0);
    // Scoring's queue is the applications table (IN_PROGRESS), not a pg-boss queue.
    expect(o.get('scoring_waiting_applications{service="origination"}')).toBe(0);
    expect(sum(o, "pgboss_queue_jobs", { queue: "scoring" })).toBe(0);
    expect([...o.keys()].filter((k) => k.includes('queue="scoring"'))).toEqual([]);
  });

  it("a creation's log line has the caller's request id and no raw passport, phone, email or name", async () => {
    for (const [i, body] of bodies.entries()) {
      const line = await waitFor(async () =>
        logs.pe.find((l) => l.msg === "agreement created" && l.agreementId === ids[i]),
      );
      expect(line).toMatchObject({ level: "info", service: "pe", requestId: requestIds[i] });
      const text = JSON.stringify(line);
      for (const raw of [body.client.passportNumber, body.client.phone, body.client.email, body.client.lastName]) {
        expect(text).not.toContain(raw);
      }
      expect(line.client).toMatchObject({ passportNumber: `***${body.client.passportNumber.slice(-2)}` });
    }
    // Nothing any line of either service printed holds them either.
    const everything = JSON.stringify(logs);
    for (const body of bodies) {
      expect(everything).not.toContain(body.client.passportNumber);
      expect(everything).not.toContain(body.client.email);
    }
  });

  it("the request id crosses the hop: in both outboxes, and on Origination's decision log line", async () => {
    type Row = { aggregate_id: string; request_id: string };
    const pe = await rows<Row>(
      test.peDb.url,
      "select aggregate_id, request_id from outbox where topic = 'agreement.created'",
    );
    const o = await rows<Row>(
      test.originationDb.url,
      "select aggregate_id, request_id from outbox where topic = 'application.decided'",
    );
    for (const [i, id] of ids.entries()) {
      expect(pe.find((r) => r.aggregate_id === id)?.request_id).toBe(requestIds[i]);
      expect(o.find((r) => r.aggregate_id === id)?.request_id).toBe(requestIds[i]);
      const decided = logs.origination.find((l) => l.msg === "application decided" && l.agreementId === id);
      expect(decided?.requestId).toBe(requestIds[i]);
    }
  });

  it("answers with the request id it was given, or a new one; a bad one is replaced", async () => {
    const given = await fetch(`${system.peUrl}/health`, { headers: { "X-Request-Id": "abc-123" } });
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const fresh = await fetch(`${system.peUrl}/health`);
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await fetch(`${system.peUrl}/health`, { headers: { "X-Request-Id": "a b\u00e9" } });
    expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
