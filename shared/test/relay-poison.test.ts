import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Child, spawnTs } from "../test-kit/child.ts";
import { type FaultProxy, startFaultProxy } from "../test-kit/fault-proxy.ts";
import { startPeer, type TestPeer } from "../test-kit/peer.ts";
import { FAST_OPTIONS, type SenderEnv, startSenderEnv, TEST_SECRET, TEST_TOPIC } from "../test-kit/sender.ts";
import { waitFor } from "../test-kit/wait.ts";

let env: SenderEnv;
let peer: TestPeer;
let proxy: FaultProxy;

beforeAll(async () => {
  [env, peer] = await Promise.all([startSenderEnv(), startPeer({ secret: TEST_SECRET, topics: [TEST_TOPIC] })]);
  proxy = await startFaultProxy({ target: peer.url });
});
afterAll(async () => {
  await env?.close();
  await proxy?.close();
  await peer?.close();
});

describe("a message that kills the relay", () => {
  it("is marked dead at the claim after its last attempt, though no answer was ever recorded, while the others flow", async () => {
    const maxAttempts = 3;
    let child: Child | undefined;
    let crashes = 0;
    // Whenever the poison message goes out, the relay process dies with it in flight.
    proxy.set((req) => {
      if (!/"crash": ?true/.test(req.body.toString())) return { kind: "pass" };
      crashes++;
      child?.process.kill("SIGKILL");
      return { kind: "dropRequest" };
    });
    const childEnv = {
      RELAY_DATABASE_URL: env.database.url,
      RELAY_ENDPOINT: `${proxy.url}/internal/events`,
      RELAY_TOPICS: TEST_TOPIC,
      RELAY_SECRET: TEST_SECRET,
      RELAY_OPTIONS: JSON.stringify({ ...FAST_OPTIONS, batchSize: 1, concurrency: 1, maxAttempts }),
    };
    // A supervisor: the relay is started again each time it dies, as a service would be.
    let stopping = false;
    const supervise = async () => {
      while (!stopping) {
        child = spawnTs("shared/test-kit/relay-child.ts", [], childEnv);
        await child.exited;
      }
    };
    const supervisor = supervise();

    await env.enqueue([{ topic: TEST_TOPIC, aggregateId: "poison-crash", payload: { crash: true } }]);
    const others = Array.from({ length: 20 }, (_, i) => `poison-other-${i}`);
    await env.enqueue(others.map((x) => ({ topic: TEST_TOPIC, aggregateId: x, payload: {} })));
    const rows = await waitFor(
      async () => {
        const r = (await env.rows()).filter((x) => x.aggregate_id.startsWith("poison-"));
        return r.every((x) => x.delivered_at || x.dead_at) ? r : undefined;
      },
      { timeoutMs: 50_000 },
    );
    stopping = true;
    child?.process.kill("SIGTERM");
    await supervisor;

    const poison = rows.find((r) => r.aggregate_id === "poison-crash")!;
    expect(poison.dead_at).not.toBeNull();
    expect(poison.attempts).toBe(maxAttempts);
    expect(crashes).toBe(maxAttempts);
    expect(poison.last_error).toMatch(/no answer recorded after the last attempt/);
    expect(rows.filter((r) => r.delivered_at).map((r) => r.aggregate_id)).toEqual(others);
    const { rows: dead } = await sql<{ id: string }>`
      select id::text from outbox_dead_letters where aggregate_id = 'poison-crash'`.execute(env.db);
    expect(dead).toEqual([{ id: poison.id }]);
  }, 60_000);
});
