import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequeueRefused, requeueDead } from "../src/outbox/inspect.ts";
import { summarizeMessages } from "../src/outbox/record.ts";
import { declareRoutes } from "../src/outbox/routing.ts";
import { startPeer, type TestPeer } from "../test-kit/peer.ts";
import { type SenderEnv, startSenderEnv, TEST_SECRET, TEST_TOPIC } from "../test-kit/sender.ts";
import { waitFor } from "../test-kit/wait.ts";

let env: SenderEnv;
let peer: TestPeer;
let operator: pg.Client;

beforeAll(async () => {
  [env, peer] = await Promise.all([startSenderEnv(), startPeer({ secret: TEST_SECRET, topics: [TEST_TOPIC] })]);
  operator = new pg.Client({ connectionString: env.database.url });
  await operator.connect();
  await declareRoutes(env.db, [{ topic: TEST_TOPIC, destination: "peer" }]);
});
afterAll(async () => {
  await operator?.end();
  await env?.close();
  await peer?.close();
});

/** Enqueues one message per entry for `aggregate`, then marks them dead or delivered as given. */
async function history(aggregate: string, states: Array<"dead" | "delivered" | "pending">): Promise<string[]> {
  await env.enqueue(states.map((_, i) => ({ topic: TEST_TOPIC, aggregateId: aggregate, payload: { i } })));
  const ids = (await env.rows()).filter((r) => r.aggregate_id === aggregate).map((r) => r.id);
  for (const [i, state] of states.entries()) {
    if (state === "pending") continue;
    await sql`
      update outbox_deliveries
      set dead_at = ${state === "dead" ? sql`now()` : null}, delivered_at = ${state === "delivered" ? sql`now()` : null},
          attempts = 7, last_error = 'given up by the test'
      where message_id = ${ids[i]!}`.execute(env.db);
  }
  await summarizeMessages(env.db, ids);
  return ids;
}

describe("requeueing dead messages", () => {
  it("takes every dead message of the aggregate together, and they go in id order ahead of what waited", async () => {
    const [first, second, third] = await history("requeue-together", ["dead", "dead", "pending"]);
    // Asked for the second only: the first goes with it, or the second would overtake it.
    expect(await requeueDead(operator, { id: second! })).toEqual([first, second]);
    const { rows } = await sql<{ attempts: number; dead: boolean }>`
      select attempts, dead_at is not null as dead from outbox where id = any(${[first!, second!]}::bigint[])`.execute(
      env.db,
    );
    expect(rows).toEqual([
      { attempts: 0, dead: false },
      { attempts: 0, dead: false },
    ]);
    await env.relay({ routes: { [TEST_TOPIC]: { destination: "peer", url: peer.endpoint } } });
    const applied = await waitFor(async () => {
      const a = (await peer.applied()).filter((r) => r.aggregate_id === "requeue-together");
      return a.length === 3 ? a : undefined;
    });
    expect(applied.map((r) => r.message_id)).toEqual([first, second, third]);
    await env.stopRelays();
  });

  it("refuses when a later message of the aggregate was delivered meanwhile, and requeues nothing; --force does", async () => {
    const [dead, later] = await history("requeue-late", ["dead", "delivered"]);
    const other = await history("requeue-fine", ["dead"]);
    const refused = requeueDead(operator, "all");
    await expect(refused).rejects.toThrow(RequeueRefused);
    await expect(requeueDead(operator, "all")).rejects.toThrow(new RegExp(`requeue-late → peer: ${later}.*--force`));
    // All or nothing: the aggregate that could go stays dead too.
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from outbox where dead_at is not null and aggregate_id like 'requeue-%'`.execute(
      env.db,
    );
    expect(rows[0]!.n).toBe(2);
    expect(await requeueDead(operator, { id: other[0]! })).toEqual(other);
    expect(await requeueDead(operator, { id: dead! }, { force: true })).toEqual([dead]);
  });

  it("requeues a message that went dead before destinations existed, giving it a delivery per route", async () => {
    const { rows } = await sql<{ id: string }>`
      insert into outbox (aggregate_id, topic, payload, attempts, dead_at, last_error)
      values ('requeue-old', ${TEST_TOPIC}, '{}', 585, now(), 'given up') returning id::text`.execute(env.db);
    const id = rows[0]!.id;
    const { rows: listed } = await sql<{ destination: string | null }>`
      select destination from outbox_dead_letters where id = ${id}`.execute(env.db);
    expect(listed).toEqual([{ destination: null }]);
    expect(await requeueDead(operator, { id })).toEqual([id]);
    const { rows: deliveries } = await sql<{ destination: string; attempts: number }>`
      select destination, attempts from outbox_deliveries where message_id = ${id}`.execute(env.db);
    expect(deliveries).toEqual([{ destination: "peer", attempts: 0 }]);
    const { rows: message } = await sql<{ dead: boolean; attempts: number }>`
      select dead_at is not null as dead, attempts from outbox where id = ${id}`.execute(env.db);
    expect(message).toEqual([{ dead: false, attempts: 0 }]);
  });
});
