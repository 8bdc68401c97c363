import type { Context } from "koa";
import { type Kysely, sql, type Transaction } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTestDatabase, type TestDatabase } from "../../db/test-kit/databases.ts";
import { createDatabase } from "../src/db.ts";
import { AppError } from "../src/http/errors.ts";
import { batchEndpoint, type TopicHandler } from "../src/outbox/receiver.ts";
import type { BatchResponse, ItemOutcome, WireMessage } from "../src/outbox/types.ts";
import { testTopic } from "../test-kit/topic.ts";

interface DB {
  applied: { message_id: string; aggregate_id: string };
}

let database: TestDatabase;
let db: Kysely<DB>;
let close: () => Promise<void>;
beforeAll(async () => {
  database = await createTestDatabase("origination", { empty: true });
  const handle = createDatabase<DB>(database.url);
  db = handle.db;
  close = () => handle.close();
  await sql`create table applied (message_id text primary key, aggregate_id text not null)`.execute(db);
});
afterAll(async () => {
  await close?.();
  await database?.drop();
});

const payload = z.object({ refuse: z.boolean().optional() });
type P = z.output<typeof payload>;

/** Applies a message once by its id; `refuse` is refused as a CONFLICT. */
async function applyOne(trx: Transaction<DB>, m: WireMessage<P>): Promise<ItemOutcome> {
  if (m.payload.refuse) return { outcome: "rejected", error: { code: "CONFLICT", message: `refused ${m.id}` } };
  const r = await trx
    .insertInto("applied")
    .values({ message_id: m.id, aggregate_id: m.aggregateId })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return { outcome: "ok", result: { fresh: r.numInsertedOrUpdatedRows === 1n } };
}

function handler(many: "none" | "works" | "throws", calls: string[][]): TopicHandler<DB, P> {
  return {
    topic: testTopic("t", payload),
    async handle(trx, m) {
      const o = await applyOne(trx, m);
      if (o.outcome === "rejected") throw new AppError("CONFLICT", `refused ${m.id}`);
      return o;
    },
    ...(many !== "none" && {
      async handleMany(trx, messages) {
        calls.push(messages.map((m) => m.aggregateId));
        const outcomes: ItemOutcome[] = [];
        for (const m of messages) outcomes.push(await applyOne(trx, m));
        if (many === "throws") throw new Error("set-based apply failed");
        return outcomes;
      },
    }),
  };
}

let n = 0;
const message = (aggregateId: string, body: unknown = {}) => ({
  id: `m${++n}`,
  topic: "t",
  aggregateId,
  payload: body,
  createdAt: new Date().toISOString(),
});

type Answer = { id: string; outcome: string; result?: unknown; error?: { code: string; message: string } };

async function post(many: "none" | "works" | "throws", messages: unknown[]) {
  const calls: string[][] = [];
  const ctx = { request: { body: { messages } } } as unknown as Context;
  await batchEndpoint(db, [handler(many, calls)])(ctx);
  return { results: (ctx.body as BatchResponse).results as Answer[], calls };
}

async function appliedOf(ids: string[]) {
  return (await db.selectFrom("applied").select("message_id").where("message_id", "in", ids).execute())
    .map((r) => r.message_id)
    .sort();
}

describe("batchEndpoint with handleMany", () => {
  const batch = (tag: string) => [
    message(`${tag}-c`),
    message(`${tag}-a`, { refuse: true }),
    message(`${tag}-b`, { refuse: "not a boolean" }),
    message(`${tag}-d`),
  ];
  const strip = (results: Answer[]) =>
    results.map((r) => ({ ...r, id: undefined, error: r.error && { ...r.error, message: r.error.code } }));

  it("applies a topic's valid messages in one call in aggregate order, answering in the order sent", async () => {
    const messages = batch("works");
    const { results, calls } = await post("works", messages);
    // The malformed one never reaches the handler; the others arrive in one call, sorted by aggregate.
    expect(calls).toEqual([["works-a", "works-c", "works-d"]]);
    expect(results.map((r) => r.id)).toEqual(messages.map((m) => m.id));
    expect(results.map((r) => r.outcome)).toEqual(["ok", "rejected", "rejected", "ok"]);
    expect(results[2]!.error!.code).toBe("VALIDATION_FAILED");
    expect(await appliedOf(messages.map((m) => m.id))).toEqual([messages[0]!.id, messages[3]!.id].sort());
  });

  it("answers what the one-by-one path answers, and falls back to it, writes undone, when handleMany throws", async () => {
    const plain = batch("plain");
    const thrown = batch("thrown");
    const one = await post("none", plain);
    const fallback = await post("throws", thrown);
    expect(fallback.calls).toEqual([["thrown-a", "thrown-c", "thrown-d"]]);
    expect(strip(fallback.results)).toEqual(strip(one.results));
    // Applied once each: the failed set-based call's inserts were rolled back, or the repeat would say fresh: false.
    expect(fallback.results[0]!.result).toEqual({ fresh: true });
    expect(await appliedOf(thrown.map((m) => m.id))).toEqual([thrown[0]!.id, thrown[3]!.id].sort());
  });
});
