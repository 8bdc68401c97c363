import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { enqueueMessages } from "../src/outbox/enqueue.ts";
import { purgeDelivered, relayQueues } from "../src/outbox/maintenance.ts";
import { startPeer, type TestPeer } from "../test-kit/peer.ts";
import { type SenderEnv, startSenderEnv, TEST_SECRET, TEST_TOPIC, testMessages } from "../test-kit/sender.ts";
import { waitFor } from "../test-kit/wait.ts";

const TOPIC = TEST_TOPIC;
let env: SenderEnv;
let peer: TestPeer;

beforeAll(async () => {
  [env, peer] = await Promise.all([startSenderEnv(), startPeer({ secret: TEST_SECRET, topics: [TOPIC] })]);
});
afterEach(() => env.stopRelays());
afterAll(async () => {
  await env?.close();
  await peer?.close();
});

const { agg, msg } = testMessages();

async function rowsOf(aggregates: string[]) {
  return (await env.rows()).filter((r) => aggregates.includes(r.aggregate_id));
}

/** Per aggregate, the peer applied its messages in outbox id order. */
async function expectAppliedInOrder(aggregates: string[]) {
  const applied = (await peer.applied()).filter((r) => aggregates.includes(r.aggregate_id));
  for (const a of aggregates) {
    const ids = applied.filter((r) => r.aggregate_id === a).map((r) => Number(r.message_id));
    expect(ids, `order of ${a}`).toEqual([...ids].sort((x, y) => x - y));
  }
}

describe("outbox relay", () => {
  it("sends nothing for a rolled-back transaction; delivers a committed one and runs onAnswer in the delivering transaction", async () => {
    const relay = await env.relay({
      routes: {
        [TOPIC]: {
          destination: "peer",
          url: peer.endpoint,
          onAnswer: async (trx, m, result) => {
            await sql`insert into answers (message_id, result) values (${m.id}, ${JSON.stringify(result)})`.execute(
              trx,
            );
          },
        },
      },
    });
    const rolledBack = agg("rolled-back");
    await env.db
      .transaction()
      .execute(async (trx) => {
        await enqueueMessages(trx, msg(rolledBack));
        throw new Error("changed my mind");
      })
      .catch(() => {});
    relay.wake();
    const committed = agg("committed");
    await env.db.transaction().execute((trx) => enqueueMessages(trx, msg(committed, { n: 1 })));
    relay.wake();

    const [row] = await waitFor(async () => {
      const rows = await rowsOf([committed, rolledBack]);
      return rows.length === 1 && rows[0]!.delivered_at ? rows : undefined;
    });
    expect(row!.aggregate_id).toBe(committed);
    expect(row!.attempts).toBe(1);
    expect(peer.receipts.get(row!.id)).toBe(1);
    const applied = (await peer.applied()).filter((r) => [committed, rolledBack].includes(r.aggregate_id));
    expect(applied.map((r) => r.message_id)).toEqual([row!.id]);

    // The answer row and the delivered row were written by one transaction: same transaction id.
    const { rows } = await sql<{ result: { fresh: boolean }; same: boolean }>`
      select a.result, (a.txid % 4294967296) = (o.xmin::text)::bigint as same
      from answers a join outbox o on o.id = a.message_id::bigint
      where a.message_id = ${row!.id}`.execute(env.db);
    expect(rows).toEqual([{ result: { seq: expect.any(String), fresh: true }, same: true }]);
    await relay.stop();
  });

  it("retries a row whose onAnswer failed, and records its answer once", async () => {
    const calls = new Map<string, number>();
    const relay = await env.relay({
      routes: {
        [TOPIC]: {
          destination: "peer",
          url: peer.endpoint,
          onAnswer: async (trx, m) => {
            calls.set(m.id, (calls.get(m.id) ?? 0) + 1);
            await sql`insert into answers (message_id, result) values (${m.id}, '{}')`.execute(trx);
            if (calls.get(m.id) === 1) throw new Error("answer handler failed once");
          },
        },
      },
    });
    const a = agg("answer-fails");
    const b = agg("answer-fine");
    await env.enqueue([msg(a), msg(b)]);
    const rows = await waitFor(async () => {
      const r = await rowsOf([a, b]);
      return r.every((x) => x.delivered_at) ? r : undefined;
    });
    for (const r of rows) {
      expect(calls.get(r.id)).toBe(2);
      expect(r.attempts).toBe(2);
      expect(r.last_error).toMatch(/onAnswer failed: answer handler failed once/);
    }
    const { rows: answers } = await sql<{ message_id: string }>`
      select message_id from answers where message_id in (${sql.join(rows.map((r) => r.id))})`.execute(env.db);
    expect(answers).toHaveLength(2);
    await relay.stop();
  });

  it("records a batch's answers with onAnswers in one call, and falls back to onAnswer one by one when it throws", async () => {
    for (const failing of [false, true]) {
      const batches: number[] = [];
      const single: string[] = [];
      const insert = (id: string) => sql`insert into answers (message_id, result) values (${id}, '{}')`;
      const relay = await env.relay({
        routes: {
          [TOPIC]: {
            destination: "peer",
            url: peer.endpoint,
            onAnswer: async (trx, m) => {
              single.push(m.id);
              await insert(m.id).execute(trx);
            },
            onAnswers: async (trx, answers) => {
              batches.push(answers.length);
              for (const a of answers) await insert(a.message.id).execute(trx);
              if (failing) throw new Error("set-based answers failed");
            },
          },
        },
      });
      const aggregates = [agg("many-1"), agg("many-2"), agg("many-3")];
      await env.enqueue(aggregates.map((a) => msg(a)));
      relay.wake();
      const rows = await waitFor(async () => {
        const r = await rowsOf(aggregates);
        return r.length === 3 && r.every((x) => x.delivered_at) ? r : undefined;
      });
      const ids = rows.map((r) => r.id);
      // Delivered on the first attempt either way: the fallback is within the same recording.
      expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1]);
      expect(batches.reduce((a, b) => a + b, 0)).toBe(3);
      expect(single.sort()).toEqual(failing ? [...ids].sort() : []);
      const { rows: answers } = await sql<{ message_id: string }>`
        select message_id from answers where message_id in (${sql.join(ids)})`.execute(env.db);
      // The failed set-based call was rolled back: one answer per message.
      expect(answers.map((a) => a.message_id).sort()).toEqual([...ids].sort());
      await relay.stop();
    }
  });

  it("backs off while the peer is down, with the backlog in the views; once it is back, delivers all in order per aggregate", async () => {
    await peer.down();
    const aggregates = [agg("down"), agg("down"), agg("down"), agg("down")];
    // Interleaved, five messages each, one transaction per message as services write them.
    for (let i = 0; i < 5; i++) for (const a of aggregates) await env.enqueue([msg(a, { i })]);
    const relay = await env.relay({ routes: { [TOPIC]: { destination: "peer", url: peer.endpoint } } });

    const heads = await waitFor(async () => {
      const rows = await rowsOf(aggregates);
      const h = aggregates.map((a) => rows.find((r) => r.aggregate_id === a)!);
      return h.every((r) => r.attempts >= 4) ? { rows, h } : undefined;
    });
    for (const r of heads.h) {
      expect(r.delivered_at).toBeNull();
      expect(r.last_error).toMatch(/request failed/);
    }
    // The later messages of each aggregate were never claimed while its first one was pending.
    const later = heads.rows.filter((r) => !heads.h.includes(r));
    expect(later.map((r) => r.attempts)).toEqual(later.map(() => 0));

    const { rows: backlog } = await sql<{ pending: string; retrying: string; waited: boolean }>`
      select pending, retrying, oldest_age > interval '0' as waited from outbox_backlog where topic = ${TOPIC}`.execute(
      env.db,
    );
    expect(backlog).toEqual([{ pending: "20", retrying: "4", waited: true }]);

    await peer.up();
    await waitFor(async () => (await rowsOf(aggregates)).every((r) => r.delivered_at));
    await expectAppliedInOrder(aggregates);
    const rows = await rowsOf(aggregates);
    expect(rows.filter((r) => !heads.h.some((h) => h.id === r.id)).every((r) => r.attempts === 1)).toBe(true);
    expect(rows.every((r) => peer.receipts.get(r.id) === 1)).toBe(true);
    await relay.stop();
  });

  it("sends a poison message until it is dead while the rest flow, then sends what waited behind it", async () => {
    const relay = await env.relay({
      routes: { [TOPIC]: { destination: "peer", url: peer.endpoint } },
      options: { maxAttempts: 4 },
    });
    const poisoned = agg("poisoned");
    const others = [agg("healthy"), agg("healthy")];
    const flaky = agg("flaky");
    await env.enqueue([msg(poisoned, { poison: true }), msg(poisoned, { after: "poison" })]);
    await env.enqueue([msg(flaky, { failTimes: 2 })]);
    for (let i = 0; i < 3; i++) await env.enqueue(others.map((a) => msg(a, { i })));
    relay.wake();

    const rows = await waitFor(async () => {
      const r = await rowsOf([poisoned, flaky, ...others]);
      return r.every((x) => x.delivered_at || x.dead_at) ? r : undefined;
    });
    const [poison, behind] = rows.filter((r) => r.aggregate_id === poisoned);
    expect(poison!.dead_at).not.toBeNull();
    expect(poison!.attempts).toBe(4);
    expect(poison!.last_error).toMatch(/^rejected BUSINESS_RULE: this message is refused for good/);
    expect(behind!.delivered_at!.getTime()).toBeGreaterThanOrEqual(poison!.dead_at!.getTime());
    const flakyRow = rows.find((r) => r.aggregate_id === flaky)!;
    expect(flakyRow.delivered_at).not.toBeNull();
    expect(flakyRow.attempts).toBe(3);
    expect(flakyRow.last_error).toMatch(/^retry RETRY: transient failure 2/);
    // The healthy aggregates did not wait for the poison to die.
    for (const r of rows.filter((x) => others.includes(x.aggregate_id))) {
      expect(r.attempts).toBe(1);
    }
    await expectAppliedInOrder(others);

    const { rows: dead } = await sql<{ id: string }>`
      select id::text from outbox_dead_letters where aggregate_id = ${poisoned}`.execute(env.db);
    expect(dead).toEqual([{ id: poison!.id }]);
    await relay.stop();
  });

  it("keeps claiming while batches come back full", async () => {
    const relay = await env.relay({ routes: { [TOPIC]: { destination: "peer", url: peer.endpoint } }, start: false });
    const aggregates = Array.from({ length: 120 }, () => agg("full"));
    await env.enqueue(aggregates.map((a) => msg(a)));
    // 50 + 50 + 20 with batchSize 50: one call, three batches.
    expect(await relay.drainOnce()).toBe(120);
    expect((await rowsOf(aggregates)).every((r) => r.delivered_at)).toBe(true);
  });

  it("coalesces many wakes into at most one more drain loop than are running", async () => {
    let claims = 0;
    const relay = await env.relay({
      routes: { [TOPIC]: { destination: "peer", url: peer.endpoint } },
      options: { sweepEverySeconds: 3600, concurrency: 2 },
      onQuery: (text) => {
        if (text.includes("with due as")) claims++;
      },
    });
    // Let the wakes of start-up (its own, the listener's first connect) play out.
    const settled = await waitFor(async () => {
      const seen = claims;
      await new Promise((r) => setTimeout(r, 200));
      return seen > 0 && seen === claims ? seen : undefined;
    });
    const a = agg("coalesced");
    await env.db.transaction().execute((trx) => enqueueMessages(trx, msg(a)));
    for (let i = 0; i < 100; i++) relay.wake();
    await waitFor(async () => (await rowsOf([a]))[0]?.delivered_at);
    await new Promise((r) => setTimeout(r, 200));
    // Two loops start at once (the concurrency), the remaining wakes leave one request pending, which
    // runs one more loop; the commit's NOTIFY may add one.
    expect(claims - settled).toBeGreaterThanOrEqual(1);
    expect(claims - settled).toBeLessThanOrEqual(4);
    expect(peer.receipts.get((await rowsOf([a]))[0]!.id)).toBe(1);
  });

  it("leaves rows of topics it has no route for alone", async () => {
    const relay = await env.relay({ routes: { [TOPIC]: { destination: "peer", url: peer.endpoint } } });
    const a = agg("unrouted");
    const b = agg("routed");
    await env.enqueue([{ topic: "nobody.listens", aggregateId: a, payload: {} }, msg(b)]);
    await waitFor(async () => (await rowsOf([b]))[0]?.delivered_at);
    expect(await relay.drainOnce()).toBe(0);
    const [unrouted] = await rowsOf([a]);
    expect(unrouted).toMatchObject({ attempts: 0, delivered_at: null, dead_at: null });
    await relay.stop();
    // Once stopped, waking and draining do nothing.
    relay.wake();
    expect(await relay.drainOnce()).toBe(0);
  });

  it("hears another process's commit by NOTIFY, also after its listening connection was killed", async () => {
    // No in-process sweep: only the notification can wake this relay within the test.
    const relay = await env.relay({
      routes: { [TOPIC]: { destination: "peer", url: peer.endpoint } },
      options: { sweepEverySeconds: 3600 },
    });
    const listenerPid = async () => {
      const { rows } = await sql<{ pid: number }>`
        select pid from pg_stat_activity
        where datname = current_database() and application_name = 'outbox-listener-pe'`.execute(env.db);
      return rows.map((r) => r.pid);
    };
    const first = agg("notified");
    await env.enqueue([msg(first)]);
    await waitFor(async () => (await rowsOf([first]))[0]?.delivered_at);

    const [pid] = await waitFor(async () => {
      const pids = await listenerPid();
      return pids.length === 1 ? pids : undefined;
    });
    await sql`select pg_terminate_backend(${pid}::int)`.execute(env.db);
    await waitFor(async () => {
      const pids = await listenerPid();
      return pids.length === 1 && pids[0] !== pid;
    });
    const second = agg("notified-again");
    await env.enqueue([msg(second)]);
    await waitFor(async () => (await rowsOf([second]))[0]?.delivered_at);
    await relay.stop();
  });

  it("schedules its sweep and purge with pg-boss; the purge drops old delivered rows and keeps dead ones", async () => {
    const relay = await env.relay({ routes: { [TOPIC]: { destination: "peer", url: peer.endpoint } } });
    const schedules = await env.bosses.at(-1)!.getSchedules();
    const { sweep, purge } = relayQueues("pe");
    expect(schedules.map((s) => s.name)).toEqual(expect.arrayContaining([sweep, purge]));
    await relay.stop();

    const [oldDelivered, recentDelivered, oldDead] = [agg("old"), agg("recent"), agg("dead")];
    await env.enqueue([msg(oldDelivered), msg(recentDelivered), msg(oldDead)]);
    await sql`
      update outbox set
        delivered_at = case when aggregate_id = ${oldDead} then null
                            when aggregate_id = ${oldDelivered} then now() - interval '8 days' else now() end,
        dead_at = case when aggregate_id = ${oldDead} then now() - interval '30 days' end
      where aggregate_id in (${oldDelivered}, ${recentDelivered}, ${oldDead})`.execute(env.db);
    expect(await purgeDelivered(env.db, 7, 1)).toBeGreaterThanOrEqual(1);
    const left = (await rowsOf([oldDelivered, recentDelivered, oldDead])).map((r) => r.aggregate_id);
    expect(left.sort()).toEqual([recentDelivered, oldDead].sort());
  });
});
