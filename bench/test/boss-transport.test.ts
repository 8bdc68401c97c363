import { startBoss, unfinishedJobs } from "@loans/shared/boss";
import { createRelay } from "@loans/shared/outbox";
import { enqueueMessages } from "@loans/shared/outbox/enqueue";
import { startPeer, type TestPeer } from "@loans/shared/test-kit/peer";
import {
  FAST_OPTIONS,
  type SenderDB,
  type SenderEnv,
  startSenderEnv,
  TEST_SECRET,
} from "@loans/shared/test-kit/sender";
import { waitFor } from "@loans/shared/test-kit/wait";
import { sql } from "kysely";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bossTransportQueue, createBossTransport } from "../boss-transport.ts";

const TOPIC = "test.event";
let env: SenderEnv;
let peer: TestPeer;
let boss: PgBoss;

beforeAll(async () => {
  [env, peer] = await Promise.all([startSenderEnv(), startPeer({ secret: TEST_SECRET, topics: [TOPIC] })]);
  boss = await startBoss(env.database.url, env.log, 2);
});
afterAll(async () => {
  await boss?.stop({ graceful: false, timeout: 2_000 });
  await env?.close();
  await peer?.close();
});

describe("the pg-boss baseline transport (benchmarks only)", () => {
  it("sends a job only for a committed transaction; a worker posts it and records the answer the relay's way", async () => {
    const transport = createRelay<SenderDB>({
      name: "baseline",
      db: env.db,
      connectionString: env.database.url,
      boss,
      routes: {
        [TOPIC]: {
          destination: "peer",
          url: peer.endpoint,
          onAnswer: async (trx, m) => {
            await sql`insert into answers (message_id, result) values (${m.id}, '{}')`.execute(trx);
          },
        },
      },
      secret: TEST_SECRET,
      log: env.log,
      options: FAST_OPTIONS,
      transport: createBossTransport,
    });
    await transport.start();
    await env.db
      .transaction()
      .execute(async (trx) => {
        await enqueueMessages(trx, { topic: TOPIC, aggregateId: "boss-rolled-back", payload: {} });
        throw new Error("changed my mind");
      })
      .catch(() => {});
    await env.db
      .transaction()
      .execute((trx) => enqueueMessages(trx, { topic: TOPIC, aggregateId: "boss-committed", payload: { n: 1 } }));
    transport.wake();

    const row = await waitFor(async () => {
      const rows = (await env.rows()).filter((r) => r.aggregate_id.startsWith("boss-"));
      return rows.length === 1 && rows[0]!.delivered_at ? rows[0] : undefined;
    });
    expect(row!.aggregate_id).toBe("boss-committed");
    expect(peer.receipts.get(row!.id)).toBe(1);
    const { rows: answers } = await sql`select 1 from answers where message_id = ${row!.id}`.execute(env.db);
    expect(answers).toHaveLength(1);
    // pg-boss completes the job only after its handler has returned (and recorded the row).
    await waitFor(async () => (await unfinishedJobs(boss, bossTransportQueue("baseline"))) === 0, {
      what: "the job to be completed",
    });
    await transport.stop();

    // Stopped, the transport's trigger is gone: the row is plain again.
    await env.enqueue([{ topic: TOPIC, aggregateId: "boss-after-stop", payload: {} }]);
    expect(await unfinishedJobs(boss, bossTransportQueue("baseline"))).toBe(0);
  });
});
