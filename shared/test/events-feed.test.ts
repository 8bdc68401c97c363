import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type DatabaseHandle } from "../src/db.ts";
import { emitEvent } from "../src/events/emit.ts";
import { sequenceOf } from "../src/events/envelope.ts";
import { waitFor } from "../test-kit/wait.ts";
import { Follower, naivePositions, testEvent, Writer } from "./events-helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: the kit's tables are reached through raw SQL only
type AnyDB = any;

let database: TestDatabase;
let handle: DatabaseHandle<AnyDB>;
const writers: Writer[] = [];

beforeAll(async () => {
  database = await createTestDatabase("gateway");
  handle = createDatabase<AnyDB>(database.url);
});
afterAll(async () => {
  for (const w of writers) await w.client.end().catch(() => {});
  await handle?.close();
  await database?.drop();
});

async function writer(name: string): Promise<Writer> {
  const w = new Writer(database.url, name);
  await w.client.connect();
  writers.push(w);
  return w;
}

/** A follower that starts at the feed's current end (earlier tests' events are not its business). */
async function followerAtEnd(): Promise<Follower> {
  const f = new Follower(handle.pool);
  await f.drain();
  f.seen = [];
  return f;
}

const ids = (f: Follower) => f.seen.map((e) => e.id);

function expectStrictlyIncreasing(f: Follower) {
  const seqs = f.seen.map((e) => e.sequence);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]! > seqs[i - 1]!).toBe(true);
  expect(new Set(ids(f)).size).toBe(ids(f).length);
}

describe("the feed under writers that commit out of order", () => {
  it("serves an event held back by a transaction with a lower position once it commits (the naive reader loses it)", async () => {
    const f = await followerAtEnd();
    const [a, b, c] = [await writer("a"), await writer("b"), await writer("c")];
    const { rows } = await handle.pool.query<{ p: string }>("select coalesce(max(position), 0)::text as p from events");
    const start = rows[0]!.p;
    // b takes its xid first; a then takes the lower position and stays open; b and c write later and commit.
    await b.takeXid();
    const held = await a.insert(1);
    const bId = await b.insert(2);
    await b.end(true);
    const cId = await c.insert(3);
    await c.end(true);

    // Below xmin (a's xid) only b's event is settled: it is served; c's waits behind a, as does a's own.
    await waitFor(
      async () => {
        await f.page();
        return ids(f).includes(bId);
      },
      { what: "b's event" },
    );
    expect(ids(f)).toEqual([bId]);
    // The trap, shown: the naive reader serves b's higher position now, and would never go back for a's.
    const naive = await naivePositions(handle.pool, start);
    expect(naive.length).toBe(1);
    const aPosition = (await handle.pool.query("select position::text as p from events where id = $1", [held])).rows;
    expect(aPosition).toEqual([]); // not visible at all yet
    await a.end(true);
    const { rows: pa } = await handle.pool.query<{ p: string }>(
      "select position::text as p from events where id = $1",
      [held],
    );
    expect(BigInt(pa[0]!.p)).toBeLessThan(BigInt(naive[0]!));

    await waitFor(
      async () => {
        await f.drain();
        return ids(f).length === 3;
      },
      { what: "every event" },
    );
    expect(ids(f)).toEqual([bId, held, cId]);
    expectStrictlyIncreasing(f);
  });

  it("serves nothing of a rolled-back transaction, and every committed event exactly once, page by page", async () => {
    const f = await followerAtEnd();
    const [a, b] = [await writer("a2"), await writer("b2")];
    const lost = await a.insert(1);
    const kept = [await b.insert(1), await b.insert(2), await b.insert(3)];
    await b.end(true);
    await a.end(false);
    await waitFor(
      async () => {
        await f.drain(1);
        return ids(f).length >= 3;
      },
      { what: "b's events" },
    );
    expect(ids(f)).toEqual(kept);
    expect(ids(f)).not.toContain(lost);
    expectStrictlyIncreasing(f);
  });

  it("keeps the sequence of an event the same on every read", async () => {
    const f1 = await followerAtEnd();
    const w = await writer("s");
    await w.insert(1);
    await w.insert(2);
    await w.end(true);
    await waitFor(
      async () => {
        await f1.drain();
        return f1.seen.length === 2;
      },
      { what: "two events" },
    );
    const f2 = new Follower(handle.pool);
    await f2.drain(1);
    const again = new Map(f2.seen.map((e) => [e.id, e.sequence]));
    for (const e of f1.seen) expect(again.get(e.id)).toBe(e.sequence);
  });
});

describe("the feed, property: any interleaving of writers and a follower", () => {
  type Step = { writer: number; op: "xid" | "insert" | "end" | "read"; commit: boolean; limit: number };
  const step = fc.record({
    writer: fc.nat(3),
    op: fc.constantFrom<Step["op"]>("xid", "insert", "insert", "end", "read"),
    commit: fc.boolean(),
    limit: fc.integer({ min: 1, max: 4 }),
  });

  it("the follower sees every committed event exactly once, in sequence order, and no rolled-back one", async () => {
    const ws = await Promise.all([0, 1, 2, 3].map((i) => writer(`p${i}`)));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const f = await followerAtEnd();
        const pending = ws.map(() => [] as string[]);
        const committed: string[] = [];
        const rolledBack: string[] = [];
        for (const s of steps) {
          const w = ws[s.writer]!;
          if (s.op === "xid") await w.takeXid();
          else if (s.op === "insert") pending[s.writer]!.push(await w.insert(n++));
          else if (s.op === "read") await f.page(s.limit);
          else if (w.open) {
            await w.end(s.commit);
            (s.commit ? committed : rolledBack).push(...pending[s.writer]!.splice(0));
          }
        }
        for (const [i, w] of ws.entries()) {
          await w.end(true);
          committed.push(...pending[i]!.splice(0));
        }
        await waitFor(
          async () => {
            await f.drain(3);
            return f.seen.length >= committed.length;
          },
          { what: "the events" },
        );
        expect(new Set(ids(f))).toEqual(new Set(committed));
        expect(ids(f).length).toBe(committed.length);
        for (const id of rolledBack) expect(ids(f)).not.toContain(id);
        expectStrictlyIncreasing(f);
      }),
      { numRuns: 40 },
    );
  });
});

describe("emitEvent", () => {
  it("writes the events of a transaction that commits, none of one that rolls back, in the order given", async () => {
    const f = await followerAtEnd();
    await handle.db.transaction().execute(async (trx) => {
      await emitEvent(trx, testEvent, [
        { subject: "x", data: { n: 1, writer: "x" } },
        { subject: "x", data: { n: 2, writer: "x" } },
      ]);
    });
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await emitEvent(trx, testEvent, { subject: "y", data: { n: 3, writer: "y" } });
        throw new Error("the change is refused");
      }),
    ).rejects.toThrow("refused");
    await waitFor(
      async () => {
        await f.drain();
        return f.seen.length >= 2;
      },
      { what: "x's events" },
    );
    expect(f.seen.map((e) => e.data)).toEqual([
      { n: 1, writer: "x" },
      { n: 2, writer: "x" },
    ]);
    const e = f.seen[0]!;
    expect(e).toMatchObject({
      specversion: "1.0",
      source: "test",
      type: "test.happened",
      subject: "x",
      datacontenttype: "application/json",
      dataschema: "urn:loans:events:test.happened:1",
    });
    expect(e).not.toHaveProperty("businessdate");
    expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it("drops a field the catalog does not list (a phone never leaves)", async () => {
    const f = await followerAtEnd();
    await handle.db.transaction().execute(async (trx) => {
      const data = { n: 9, writer: "z", phone: "+79991234567" } as { n: number; writer: string };
      await emitEvent(trx, testEvent, { subject: "z", data, businessDate: "2026-03-05" });
    });
    await waitFor(
      async () => {
        await f.drain();
        return f.seen.length >= 1;
      },
      { what: "z's event" },
    );
    expect(f.seen[0]!.data).toEqual({ n: 9, writer: "z" });
    expect(f.seen[0]!.businessdate).toBe("2026-03-05");
  });
});

describe("sequenceOf", () => {
  it("orders as (xid, position) does, as text of one width", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }),
        (x1, p1, x2, p2) => {
          const a = sequenceOf(String(x1), String(p1));
          const b = sequenceOf(String(x2), String(p2));
          expect(a.length).toBe(39);
          const keyLess = x1 < x2 || (x1 === x2 && p1 < p2);
          expect(a < b).toBe(keyLess);
        },
      ),
    );
  });
});
