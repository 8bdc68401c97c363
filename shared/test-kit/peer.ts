import Router from "@koa/router";
import type { Context, Next } from "koa";
import { type Kysely, sql } from "kysely";
import { z } from "zod";
import { createTestDatabase, type TestDatabase } from "../../db/test-kit/databases.ts";
import { createDatabase } from "../src/db.ts";
import { createBaseApp } from "../src/http/app.ts";
import { AppError } from "../src/http/errors.ts";
import { listen, type RunningServer } from "../src/http/server.ts";
import { createLogger } from "../src/log.ts";
import { batchEndpoint, type TopicHandler } from "../src/outbox/receiver.ts";
import { testTopic } from "./topic.ts";

export interface AppliedRow {
  message_id: string;
  aggregate_id: string;
  topic: string;
  seq: string;
}

interface PeerDB {
  applied: AppliedRow & { payload: unknown };
}

/**
 * What a test message may ask of the peer: `poison` is refused every time (an AppError: `rejected`);
 * `failTimes` fails that many deliveries with a plain error (`retry`) before it is applied.
 */
const payload = z.looseObject({ poison: z.boolean().optional(), failTimes: z.number().int().optional() });

export interface TestPeer {
  /** Base URL; the batch endpoint is `${url}${path}`. */
  url: string;
  endpoint: string;
  port: number;
  db: Kysely<PeerDB>;
  /** Deliveries per message id, repeats included (in memory, from the moment of arrival). */
  receipts: Map<string, number>;
  /** Times a message arrived while a request carrying it was still being handled. */
  concurrentDuplicates(): number;
  /** Rows applied, in the order the peer applied them. */
  applied(): Promise<AppliedRow[]>;
  /** Closes the server (the peer is down) ... */
  down(): Promise<void>;
  /** ... and listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real receiving service for relay tests: the project's Koa base app (signature check, body limits)
 * with `batchEndpoint` over its own database, where each message is applied once, by its id.
 */
export async function startPeer(opts: { secret: string; topics: string[]; path?: string }): Promise<TestPeer> {
  const path = opts.path ?? "/internal/events";
  const database: TestDatabase = await createTestDatabase("origination", { empty: true });
  const handle = createDatabase<PeerDB>(database.url);
  await sql`
    create table applied (
      message_id   text primary key,
      aggregate_id text not null,
      topic        text not null,
      payload      jsonb not null,
      seq          bigint generated always as identity,
      applied_at   timestamptz not null default now()
    )`.execute(handle.db);

  const failures = new Map<string, number>();
  const handlerOf = (topic: string): TopicHandler<PeerDB, z.infer<typeof payload>> => ({
    topic: testTopic(topic, payload),
    async handle(trx, m) {
      if (m.payload.poison) throw new AppError("BUSINESS_RULE", "this message is refused for good");
      const failed = failures.get(m.id) ?? 0;
      if (failed < (m.payload.failTimes ?? 0)) {
        failures.set(m.id, failed + 1);
        throw new Error(`transient failure ${failed + 1}`);
      }
      const inserted = await sql<{ seq: string }>`
        insert into applied (message_id, aggregate_id, topic, payload)
        values (${m.id}, ${m.aggregateId}, ${m.topic}, ${JSON.stringify(m.payload)}::jsonb)
        on conflict (message_id) do nothing
        returning seq::text`.execute(trx);
      const fresh = inserted.rows[0];
      if (fresh) return { outcome: "ok", result: { seq: fresh.seq, fresh: true } };
      const { rows } = await sql<{ seq: string }>`select seq::text from applied where message_id = ${m.id}`.execute(
        trx,
      );
      return { outcome: "ok", result: { seq: rows[0]?.seq, fresh: false } };
    },
  });

  const receipts = new Map<string, number>();
  const handling = new Set<string>();
  let duplicates = 0;
  const track = async (ctx: Context, next: Next) => {
    const body = ctx.request.body as { messages?: Array<{ id?: unknown }> } | undefined;
    const ids = Array.isArray(body?.messages) ? body.messages.map((m) => String(m?.id)) : [];
    const mine: string[] = [];
    for (const id of ids) {
      receipts.set(id, (receipts.get(id) ?? 0) + 1);
      if (handling.has(id)) duplicates++;
      else {
        handling.add(id);
        mine.push(id);
      }
    }
    try {
      await next();
    } finally {
      for (const id of mine) handling.delete(id);
    }
  };

  const app = createBaseApp({
    service: "peer",
    pool: handle.pool,
    log: createLogger("peer", "silent"),
    serviceSecret: opts.secret,
  });
  const router = new Router();
  router.post(path, track, batchEndpoint(handle.db, opts.topics.map(handlerOf)));
  app.use(router.routes());

  let server: RunningServer | undefined = await listen(app, 0);
  const port = server.port;
  const url = server.url;
  const down = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    // Connections in use are cut too: a peer that goes down does not finish what it was doing.
    const closed = new Promise<void>((resolve) => s.server.close(() => resolve()));
    s.server.closeAllConnections();
    await closed;
  };
  return {
    url,
    endpoint: `${url}${path}`,
    port,
    db: handle.db,
    receipts,
    concurrentDuplicates: () => duplicates,
    async applied() {
      const { rows } = await sql<AppliedRow>`
        select message_id, aggregate_id, topic, a.seq::text from applied a order by a.seq`.execute(handle.db);
      return rows;
    },
    down,
    async up() {
      if (!server) server = await listen(app, port);
    },
    async close() {
      await down();
      await handle.close();
      await database.drop();
    },
  };
}
