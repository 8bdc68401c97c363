import { Kysely, PostgresDialect, sql } from "kysely";
import type { PgBoss } from "pg-boss";
import { createTestDatabase, type TestDatabase } from "../../db/test-kit/databases.ts";
import { startBoss } from "../src/boss.ts";
import { createDatabase, type DatabaseHandle } from "../src/db.ts";
import { createLogger, type Logger } from "../src/log.ts";
import { enqueueMessages } from "../src/outbox/enqueue.ts";
import type { RelayOptions } from "../src/outbox/options.ts";
import { createRelay, type Relay, type RelayRoutes } from "../src/outbox/relay.ts";
import type { OutboxDB, OutboxMessage } from "../src/outbox/types.ts";

export const TEST_SECRET = "relay-test-secret-0123456789";

/** Small delays, so retries and leases play out in well under a second each. */
export const FAST_OPTIONS: Partial<RelayOptions> = {
  batchSize: 50,
  baseDelayMs: 20,
  maxDelayMs: 200,
  connectTimeoutMs: 500,
  requestTimeoutMs: 1_000,
  leaseMs: 2_500,
  sweepEverySeconds: 0.2,
  concurrency: 2,
};

export interface AnswersTable {
  message_id: string;
  result: unknown;
  txid: string;
}

export type SenderDB = OutboxDB & { answers: AnswersTable };

export interface OutboxRow {
  id: string;
  aggregate_id: string;
  topic: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  delivered_at: Date | null;
  dead_at: Date | null;
}

/** The sending side of a relay test: a migrated service database, a table for answers, pg-boss. */
export interface SenderEnv {
  database: TestDatabase;
  handle: DatabaseHandle<SenderDB>;
  db: Kysely<SenderDB>;
  log: Logger;
  relays: Relay[];
  bosses: PgBoss[];
  relay(opts: {
    routes: RelayRoutes<SenderDB>;
    options?: Partial<RelayOptions>;
    random?: () => number;
    start?: boolean;
    /** Sees every query the relay runs (its SQL text), for tests that count claims. */
    onQuery?: (sql: string) => void;
  }): Promise<Relay>;
  /** Enqueues in one committed transaction; the relay learns of it by NOTIFY only. */
  enqueue(messages: OutboxMessage[]): Promise<void>;
  rows(): Promise<OutboxRow[]>;
  /** Stops every relay made so far, so a failed test leaves none running into the next. */
  stopRelays(): Promise<void>;
  close(): Promise<void>;
}

export async function startSenderEnv(): Promise<SenderEnv> {
  const database = await createTestDatabase("pe");
  const handle = createDatabase<SenderDB>(database.url);
  await sql`
    create table answers (
      message_id text primary key,
      result     jsonb,
      txid       bigint not null default txid_current()
    )`.execute(handle.db);
  const log = createLogger("relay-test", (process.env.RELAY_TEST_LOG as "debug" | undefined) ?? "silent");
  const relays: Relay[] = [];
  const bosses: PgBoss[] = [];
  const stopRelays = async () => {
    for (const r of relays.splice(0)) await r.stop();
  };
  return {
    database,
    handle,
    db: handle.db,
    log,
    relays,
    bosses,
    async relay({ routes, options, random, start = true, onQuery }) {
      // Each relay gets its own pool and pg-boss, like a separate instance of the service.
      const own = createDatabase<SenderDB>(database.url, 4);
      const db = onQuery
        ? new Kysely<SenderDB>({
            dialect: new PostgresDialect({ pool: own.pool }),
            log: (event) => onQuery(event.query.sql),
          })
        : own.db;
      const boss = await startBoss(database.url, log, 2);
      bosses.push(boss);
      const relay = createRelay<SenderDB>({
        name: "pe",
        db,
        connectionString: database.url,
        boss,
        routes,
        secret: TEST_SECRET,
        log,
        options: { ...FAST_OPTIONS, ...options },
        random,
      });
      const stop = relay.stop;
      let closed: Promise<void> | undefined;
      relay.stop = () => {
        closed ??= stop().then(() => own.close());
        return closed;
      };
      relays.push(relay);
      if (start) await relay.start();
      return relay;
    },
    async enqueue(messages) {
      await handle.db.transaction().execute((trx) => enqueueMessages(trx, messages));
    },
    async rows() {
      const { rows } = await sql<OutboxRow>`
        select o.id::text, aggregate_id, topic,
               -- the deliveries' attempts: the message's own summary is written when answers are recorded
               coalesce((select max(d.attempts) from outbox_deliveries d where d.message_id = o.id), o.attempts) as attempts,
               next_attempt_at, last_error, delivered_at, dead_at
        from outbox o order by o.id`.execute(handle.db);
      return rows;
    },
    stopRelays,
    async close() {
      await stopRelays();
      for (const b of bosses) await b.stop({ graceful: false, timeout: 2_000 }).catch(() => {});
      await handle.close();
      await database.drop();
    },
  };
}

export const TEST_TOPIC = "test.event";

/** Messages of TEST_TOPIC for one test file, each `agg(label)` a fresh aggregate id. */
export function testMessages() {
  let unique = 0;
  return {
    agg: (label: string) => `${label}-${++unique}`,
    msg: (aggregateId: string, payload: Record<string, unknown> = {}): OutboxMessage => ({
      topic: TEST_TOPIC,
      aggregateId,
      payload,
    }),
  };
}
