import { waitFor } from "@loans/shared/test-kit/wait";
import { expect } from "vitest";
import { api } from "./client.ts";
import { agreementBody, makeClients, random } from "./requests.ts";
import type { System } from "./system.ts";

let batch = 0;

/** Creates `n` agreements through PE's public API (new clients each time) and returns their ids. */
export async function createAgreements(system: System, n: number, seed = 1): Promise<string[]> {
  const rnd = random(seed + batch * 7919);
  const clients = makeClients(n, rnd, `S${process.pid % 1000}B${batch++}X`);
  const ids: string[] = [];
  for (const c of clients) {
    const r = await api(system.peUrl, "POST", "/agreements", agreementBody(c, rnd));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    ids.push(r.body.id);
  }
  return ids;
}

/** Waits until both databases agree on everything and both outboxes are empty; returns the report. */
export async function converged(system: System, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const r = await system.check();
      return r.violations.length === 0 ? r : null;
    },
    { timeoutMs, everyMs: 200, what: "both services to converge" },
  ).catch(async (err) => {
    const r = await system.check();
    throw new Error(`${(err as Error).message}\n${JSON.stringify(r, null, 2)}`);
  });
}

/**
 * Creates agreements in the background while faults are injected. A request that fails (the service
 * is down, say) is counted, not retried: what PE committed is what the invariants are checked against.
 */
export function traffic(system: System, opts: { count: number; concurrency?: number; seed?: number }) {
  const rnd = random((opts.seed ?? 3) + batch * 104729);
  const clients = makeClients(opts.count, rnd, `T${process.pid % 1000}B${batch++}X`);
  let created = 0;
  let failed = 0;
  let next = 0;
  const lane = async () => {
    while (next < clients.length) {
      const c = clients[next++]!;
      try {
        const r = await api(system.peUrl, "POST", "/agreements", agreementBody(c, rnd));
        if (r.status === 201) created++;
        else failed++;
      } catch {
        failed++;
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  };
  const done = Promise.all(Array.from({ length: opts.concurrency ?? 4 }, lane)).then(() => ({ created, failed }));
  return { done, progress: () => ({ created, failed, sent: next }) };
}
