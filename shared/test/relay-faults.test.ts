import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ceilingMs } from "../src/outbox/backoff.ts";
import { type Child, spawnTs } from "../test-kit/child.ts";
import { type FaultAction, type FaultProxy, startFaultProxy } from "../test-kit/fault-proxy.ts";
import { startPeer, type TestPeer } from "../test-kit/peer.ts";
import {
  FAST_OPTIONS,
  type SenderEnv,
  startSenderEnv,
  TEST_SECRET,
  TEST_TOPIC,
  testMessages,
} from "../test-kit/sender.ts";
import { waitFor } from "../test-kit/wait.ts";

const TOPIC = TEST_TOPIC;
let env: SenderEnv;
let peer: TestPeer;
let proxy: FaultProxy;

beforeAll(async () => {
  [env, peer] = await Promise.all([startSenderEnv(), startPeer({ secret: TEST_SECRET, topics: [TOPIC] })]);
  proxy = await startFaultProxy({ target: peer.url });
});
afterEach(async () => {
  await env.stopRelays();
  proxy.reset();
  proxy.set({ kind: "pass" });
});
afterAll(async () => {
  await env?.close();
  await proxy?.close();
  await peer?.close();
});

const { agg, msg } = testMessages();
const viaProxy = () => `${proxy.url}/internal/events`;

async function rowsOf(aggregates: string[]) {
  return (await env.rows()).filter((r) => aggregates.includes(r.aggregate_id));
}

// Each fault hits the first request only; the retry passes. Whatever the fault, every message ends up
// applied exactly once, after exactly two attempts.
const faults: Array<[string, FaultAction]> = [
  ["the request is dropped before the peer sees it", { kind: "dropRequest" }],
  ["the answer is dropped after the peer committed", { kind: "dropAnswer" }],
  ["the peer answers 500", { kind: "status", status: 500 }],
  ["a 502 comes back after the peer committed", { kind: "status", status: 502, afterPeer: true }],
  ["garbage comes back with a 200", { kind: "garbage" }],
  ["garbage comes back after the peer committed", { kind: "garbage", afterPeer: true }],
  ["the connection is cut in the middle of the answer", { kind: "cutBody" }],
  ["the request is held past the relay's timeout", { kind: "delay", ms: 1_600 }],
];

describe("outbox relay under network faults", () => {
  it.each(faults)("when %s, sends again and the peer applies each message once", async (_, fault) => {
    const aggregates = [agg("fault"), agg("fault"), agg("fault")];
    await env.enqueue(aggregates.map((a) => msg(a)));
    proxy.once(fault);
    // One drain loop: the three committed rows go out in one request, the one that meets the fault. A
    // fault with no answer marks the peer failing, and then only its probe goes: a probe that runs before
    // a row's backoff has passed sends it without counting an attempt (probe.ts). A 1 ms backoff makes
    // every row due before the probe's three round trips end, so each is counted twice as the test says.
    await env.relay({
      routes: { [TOPIC]: { destination: "peer", url: viaProxy() } },
      options: { concurrency: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });

    const rows = await waitFor(async () => {
      const r = await rowsOf(aggregates);
      return r.every((x) => x.delivered_at) ? r : undefined;
    });
    expect(rows.map((r) => r.attempts)).toEqual([2, 2, 2]);
    const applied = (await peer.applied()).filter((r) => aggregates.includes(r.aggregate_id));
    expect(applied.map((r) => r.message_id).sort()).toEqual(rows.map((r) => r.id).sort());
    // A late request still reaches the peer after the relay gave up on it: wait, so it cannot leak into
    // the next test, then check it changed nothing.
    await waitFor(() => proxy.counters().inFlight === 0);
    expect((await peer.applied()).filter((r) => aggregates.includes(r.aggregate_id))).toHaveLength(3);
  });

  it("spaces retries by exponential backoff up to the cap", async () => {
    const policy = { baseDelayMs: 40, maxDelayMs: 320 };
    // Jitter pinned just below 1: each delay is its ceiling, so the spacing can be checked.
    await env.relay({
      routes: { [TOPIC]: { destination: "peer", url: viaProxy() } },
      options: policy,
      random: () => 0.999,
    });
    proxy.set({ kind: "status", status: 503 });
    const a = agg("spaced");
    await env.enqueue([msg(a)]);
    const [row] = await rowsOf([a]);
    const sent = await waitFor(() => {
      const times = proxy
        .history()
        .filter((e) => e.body.includes(`"aggregateId":"${a}"`))
        .map((e) => e.at);
      return times.length >= 7 ? times : undefined;
    });
    for (let k = 1; k < 7; k++) {
      // The k-th failure scheduled the next try no sooner than its backoff (2 ms for clock rounding).
      const least = Math.floor(0.999 * ceilingMs(k, policy)) - 2;
      expect(sent[k]! - sent[k - 1]!, `gap after attempt ${k}`).toBeGreaterThanOrEqual(least);
    }
    proxy.set({ kind: "pass" });
    const [done] = await waitFor(async () => {
      const r = await rowsOf([a]);
      return r[0]?.delivered_at ? r : undefined;
    });
    expect(done!.id).toBe(row!.id);
    expect(done!.last_error).toMatch(/HTTP 503/);
  });

  it("redelivers the batches of a relay killed with SIGKILL mid-batch once another starts; nothing applied twice", async () => {
    const aggregates = Array.from({ length: 300 }, () => agg("killed"));
    await env.enqueue(aggregates.map((a) => msg(a)));
    // Answers come back slowly, so the relay always has batches the peer applied and it has not recorded.
    proxy.set({ kind: "delayAnswer", ms: 400 });
    const childEnv = {
      RELAY_DATABASE_URL: env.database.url,
      RELAY_ENDPOINT: viaProxy(),
      RELAY_TOPICS: TOPIC,
      RELAY_SECRET: TEST_SECRET,
      RELAY_OPTIONS: JSON.stringify({ ...FAST_OPTIONS, batchSize: 20 }),
    };
    const start = async (): Promise<Child> => {
      const child = spawnTs("shared/test-kit/relay-child.ts", [], childEnv);
      await waitFor(() => child.output().includes("ready"), { what: `the relay child: ${child.output()}` });
      return child;
    };

    const first = await start();
    await waitFor(async () => {
      const applied = (await peer.applied()).filter((r) => aggregates.includes(r.aggregate_id));
      return applied.length >= 60 && proxy.counters().inFlight > 0;
    });
    first.process.kill("SIGKILL");
    await first.exited;
    const leftBehind = (await rowsOf(aggregates)).filter((r) => !r.delivered_at && r.attempts > 0);
    expect(leftBehind.length).toBeGreaterThan(0);

    proxy.set({ kind: "pass" });
    const second = await start();
    const rows = await waitFor(
      async () => {
        const r = await rowsOf(aggregates);
        return r.every((x) => x.delivered_at) ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    second.process.kill("SIGTERM");
    expect(await second.exited).toBe(0);

    const applied = (await peer.applied()).filter((r) => aggregates.includes(r.aggregate_id));
    expect(applied).toHaveLength(300);
    expect(new Set(applied.map((r) => r.message_id)).size).toBe(300);
    // Rows the dead relay had in flight went out a second time and were recognised.
    expect(leftBehind.filter((r) => (peer.receipts.get(r.id) ?? 0) >= 2).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.attempts > 1).length).toBeGreaterThanOrEqual(leftBehind.length);
  });
});
