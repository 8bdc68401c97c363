import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPeer, type TestPeer } from "../test-kit/peer.ts";
import { type SenderEnv, startSenderEnv, TEST_SECRET } from "../test-kit/sender.ts";
import { waitFor } from "../test-kit/wait.ts";

const TOPIC = "test.event";
const AGGREGATES = 2_000;
const PER_AGGREGATE = 5;
const TOTAL = AGGREGATES * PER_AGGREGATE;

let env: SenderEnv;
let peer: TestPeer;

beforeAll(async () => {
  [env, peer] = await Promise.all([startSenderEnv(), startPeer({ secret: TEST_SECRET, topics: [TOPIC] })]);
});
afterAll(async () => {
  await env?.close();
  await peer?.close();
});

describe("three relay instances on one database", () => {
  // The drain takes about 4 s here. It took 40–55 s, a message sent twice, about one run in five while
  // the claim's head test could go through the due index on a table not analysed yet (one claim of 38 s;
  // db/outbox/0004_deliveries_due_index.sql). The test allows what its own wait allows, 90 s.
  it("drain 10 000 rows: each delivered exactly once, never in flight twice, in order per aggregate", {
    timeout: 120_000,
  }, async () => {
    // The backlog is there before any relay starts, so all three compete for it from the first claim.
    await sql`
      insert into outbox (aggregate_id, topic, payload)
      select 'many-' || a, ${TOPIC}, jsonb_build_object('i', i)
      from generate_series(1, ${PER_AGGREGATE}) i, generate_series(1, ${AGGREGATES}) a
      order by i, a`.execute(env.db);

    const delivered = [0, 0, 0];
    const relays = await Promise.all(
      delivered.map((_, n) =>
        env.relay({
          routes: {
            [TOPIC]: {
              destination: "peer",
              url: peer.endpoint,
              onAnswer: async () => {
                delivered[n]!++;
              },
            },
          },
          // Room for a slow machine: a request cut by its timeout would be sent again, which is not what this counts.
          options: { batchSize: 100, concurrency: 2, requestTimeoutMs: 5_000, leaseMs: 8_000 },
        }),
      ),
    );

    await waitFor(
      async () => {
        const { rows } = await sql<{ left: number }>`
          select count(*)::int as left from outbox where delivered_at is null`.execute(env.db);
        return rows[0]!.left === 0;
      },
      { timeoutMs: 90_000, everyMs: 200 },
    );
    for (const r of relays) await r.stop();

    // Exactly once: no faults were injected, so no message had to go twice.
    expect(peer.receipts.size).toBe(TOTAL);
    expect([...peer.receipts.values()].every((n) => n === 1)).toBe(true);
    expect(peer.concurrentDuplicates()).toBe(0);
    expect(delivered.reduce((a, b) => a + b)).toBe(TOTAL);
    expect(
      delivered.every((n) => n > 0),
      `each instance delivered some: ${delivered}`,
    ).toBe(true);

    const { rows: attempts } = await sql<{ attempts: number; n: number }>`
      select attempts, count(*)::int as n from outbox group by attempts`.execute(env.db);
    expect(attempts).toEqual([{ attempts: 1, n: TOTAL }]);

    // The peer applied each aggregate's messages in outbox id order.
    const { rows: disorder } = await sql<{ n: number }>`
      select count(*)::int as n from (
        select message_id::bigint as id, lag(message_id::bigint) over (partition by aggregate_id order by seq) as prev
        from applied) x
      where prev > id`.execute(peer.db);
    expect(disorder[0]!.n).toBe(0);
    const { rows: applied } = await sql<{ n: number }>`select count(*)::int as n from applied`.execute(peer.db);
    expect(applied[0]!.n).toBe(TOTAL);
  });
});
