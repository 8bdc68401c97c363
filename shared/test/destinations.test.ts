import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../test-kit/fault-proxy.ts";
import { startPeer, type TestPeer } from "../test-kit/peer.ts";
import { FAST_OPTIONS, type SenderEnv, startSenderEnv, TEST_SECRET } from "../test-kit/sender.ts";
import { waitFor } from "../test-kit/wait.ts";

const TOPICS = ["to.a", "to.b", "fan.out", "slow.a", "p.one", "p.two"];
let env: SenderEnv;
let a: TestPeer;
let b: TestPeer;
let proxyA: FaultProxy;

beforeAll(async () => {
  [env, a, b] = await Promise.all([
    startSenderEnv(),
    startPeer({ secret: TEST_SECRET, topics: TOPICS }),
    startPeer({ secret: TEST_SECRET, topics: TOPICS }),
  ]);
  proxyA = await startFaultProxy({ target: a.url });
});
afterEach(async () => {
  await env.stopRelays();
  proxyA.reset();
  proxyA.set({ kind: "pass" });
});
afterAll(async () => {
  await env?.close();
  await proxyA?.close();
  await a?.close();
  await b?.close();
});

let unique = 0;
const agg = (label: string) => `${label}-${++unique}`;
const viaProxy = () => `${proxyA.url}/internal/events`;
const down = { kind: "status", status: 503, body: "down" } as const;

/** Message ids per aggregate, in the order the peer applied them. */
async function orderAt(peer: TestPeer, aggregates: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const r of await peer.applied()) {
    if (!aggregates.includes(r.aggregate_id)) continue;
    out.set(r.aggregate_id, [...(out.get(r.aggregate_id) ?? []), r.message_id]);
  }
  return out;
}

async function idsOf(aggregates: readonly string[], topic: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const r of await env.rows()) {
    if (!aggregates.includes(r.aggregate_id) || r.topic !== topic) continue;
    out.set(r.aggregate_id, [...(out.get(r.aggregate_id) ?? []), r.id]);
  }
  return out;
}

describe("destinations", () => {
  it("a destination that is down holds back only its own deliveries: the other gets the same aggregate's messages in order at once", async () => {
    proxyA.set(down);
    await env.relay({
      routes: {
        "to.a": { destination: "dest-a1", url: viaProxy() },
        "to.b": { destination: "dest-b1", url: b.endpoint },
      },
    });
    const aggregates = [agg("split"), agg("split")];
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      await env.enqueue(
        aggregates.flatMap((x) => [
          { topic: "to.a", aggregateId: x, payload: { i } },
          { topic: "to.b", aggregateId: x, payload: { i } },
        ]),
      );
    }
    const expected = await idsOf(aggregates, "to.b");
    const got = await waitFor(async () => {
      const o = await orderAt(b, aggregates);
      return aggregates.every((x) => o.get(x)?.length === 3) ? o : undefined;
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(got).toEqual(expected);
    // Nothing reached A; its messages wait, pending, while B's are delivered.
    expect((await orderAt(a, aggregates)).size).toBe(0);
    // The peer commits before it answers, and the relay records the answer after: wait for the record.
    const rows = await waitFor(async () => {
      const mine = (await env.rows()).filter((r) => aggregates.includes(r.aggregate_id));
      return mine.filter((r) => r.topic === "to.b").every((r) => r.delivered_at !== null) ? mine : undefined;
    });
    expect(rows.filter((r) => r.topic === "to.a").every((r) => r.delivered_at === null && r.dead_at === null)).toBe(
      true,
    );
    const health = await waitFor(async () => {
      const { rows: h } = await sql<{ failing: boolean }>`
        select failing_since is not null as failing from outbox_destinations where name = 'dest-a1'`.execute(env.db);
      return h[0]?.failing ? h : undefined;
    });
    expect(health).toEqual([{ failing: true }]);
  });

  it("fans a topic out to two destinations, one down then back: each gets every message once, in order", async () => {
    proxyA.set(down);
    await env.relay({
      routes: {
        "fan.out": [
          { destination: "dest-a2", url: viaProxy() },
          { destination: "dest-b2", url: b.endpoint },
        ],
      },
      options: { probeEveryMs: 100 },
    });
    const aggregates = Array.from({ length: 5 }, () => agg("fan"));
    for (let i = 0; i < 4; i++) {
      await env.enqueue(aggregates.map((x) => ({ topic: "fan.out", aggregateId: x, payload: { i } })));
    }
    const expected = await idsOf(aggregates, "fan.out");
    await waitFor(async () => {
      const o = await orderAt(b, aggregates);
      return aggregates.every((x) => o.get(x)?.length === 4);
    });
    // B has every message, A none: the messages stay pending until both acknowledged.
    let rows = (await env.rows()).filter((r) => aggregates.includes(r.aggregate_id));
    expect(rows.filter((r) => r.delivered_at).length).toBe(0);
    const { rows: backlog } = await sql<{ destination: string; pending: number }>`
      select destination, pending::int from outbox_backlog where topic = 'fan.out'`.execute(env.db);
    expect(backlog).toEqual([{ destination: "dest-a2", pending: 20 }]);

    proxyA.set({ kind: "pass" });
    rows = await waitFor(async () => {
      const r = (await env.rows()).filter((x) => aggregates.includes(x.aggregate_id));
      return r.every((x) => x.delivered_at) ? r : undefined;
    });
    expect(rows).toHaveLength(20);
    expect(await orderAt(a, aggregates)).toEqual(expected);
    expect(await orderAt(b, aggregates)).toEqual(expected);
    const ids = rows.map((r) => r.id);
    expect(ids.every((id) => a.receipts.get(id)! >= 1 && b.receipts.get(id) === 1)).toBe(true);
    const { rows: rate } = await sql<{ destination: string; last_hour: number }>`
      select destination, last_hour::int from outbox_delivery_rate where topic = 'fan.out' order by 1`.execute(env.db);
    expect(rate).toEqual([
      { destination: "dest-a2", last_hour: 20 },
      { destination: "dest-b2", last_hour: 20 },
    ]);
  });

  it("after an outage, drains within a second of the peer's return, with one request at a time while it was down", async () => {
    // Production-like pacing: backoff from 1 s, doubling to 5 minutes.
    const options = { ...FAST_OPTIONS, baseDelayMs: 1_000, maxDelayMs: 300_000, batchSize: 100, probeEveryMs: 500 };
    let concurrent = 0;
    let most = 0;
    let requestsWhileDown = 0;
    let isDown = true;
    // Counted a second after the rows were written: the batches sent before any had failed may overlap.
    let known = false;
    // Each request while down takes a while to fail, so overlapping requests would show.
    proxyA.set(() => {
      if (!isDown) return { kind: "pass" };
      if (known) {
        requestsWhileDown++;
        most = Math.max(most, ++concurrent);
        setTimeout(() => concurrent--, 150);
      }
      return { kind: "delay", ms: 150, next: down };
    });
    // Two instances, as in production: the probe is shared through the database.
    for (let i = 0; i < 2; i++) {
      await env.relay({ routes: { "slow.a": { destination: "dest-a3", url: viaProxy() } }, options });
    }
    const aggregates = Array.from({ length: 200 }, () => agg("outage"));
    await env.enqueue(aggregates.map((x) => ({ topic: "slow.a", aggregateId: x, payload: {} })));
    await new Promise((r) => setTimeout(r, 1_000));
    known = true;
    await new Promise((r) => setTimeout(r, 4_000));
    isDown = false;
    const back = Date.now();
    const first = await waitFor(async () => ((await orderAt(a, aggregates)).size > 0 ? Date.now() : undefined), {
      everyMs: 10,
    });
    const empty = await waitFor(
      async () => {
        const o = await orderAt(a, aggregates);
        return o.size === 200 ? Date.now() : undefined;
      },
      { everyMs: 20 },
    );
    expect(most, "requests in flight at once while the peer was down").toBe(1);
    // About one probe per probe interval: not a retry storm.
    expect(requestsWhileDown).toBeLessThanOrEqual(4_000 / 500 + 4);
    expect(first - back, "from the peer's return to the first delivery").toBeLessThan(1_000);
    expect(empty - back, "from the peer's return to an empty backlog").toBeLessThan(3_000);
  }, 30_000);

  it("probes the head of an aggregate, not a later message of it in another topic that came due sooner", async () => {
    proxyA.set(down);
    const routes = {
      "p.one": { destination: "dest-a4", url: viaProxy() },
      "p.two": { destination: "dest-a4", url: viaProxy() },
    };
    // The first message backs off for up to a minute; the second, written later, is due at once.
    await env.relay({ routes, options: { baseDelayMs: 60_000, maxDelayMs: 60_000, probeEveryMs: 100 } });
    const x = agg("probe-head");
    await env.enqueue([{ topic: "p.one", aggregateId: x, payload: {} }]);
    await waitFor(async () => (await env.rows()).find((r) => r.aggregate_id === x && r.attempts > 0));
    await env.enqueue([{ topic: "p.two", aggregateId: x, payload: {} }]);
    proxyA.set({ kind: "pass" });
    const ids = (await env.rows()).filter((r) => r.aggregate_id === x).map((r) => r.id);
    const got = await waitFor(
      async () => {
        const o = await orderAt(a, [x]);
        return o.get(x)?.length === 2 ? o.get(x) : undefined;
      },
      { timeoutMs: 5_000 },
    );
    expect(got).toEqual(ids);
  });
});
