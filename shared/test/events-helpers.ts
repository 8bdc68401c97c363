import pg from "pg";
import { z } from "zod";
import { defineEvent } from "../src/events/catalog.ts";
import type { Envelope } from "../src/events/envelope.ts";
import { type FeedKey, readFeed } from "../src/events/feed.ts";

/** A type of the tests' own: the feed is the same for every type. */
export const testEvent = defineEvent<{ n: number; writer: string }>()({
  type: "test.happened",
  source: "test",
  version: 1,
  summary: "Something happened in a test",
  subject: "the writer",
  data: z.object({ n: z.number().int(), writer: z.string() }),
  example: { subject: "w", data: { n: 1, writer: "w" } },
});

/** A writer on a connection of its own: transactions are held open, committed or rolled back at will. */
export class Writer {
  readonly client: pg.Client;
  open = false;
  constructor(
    url: string,
    readonly name: string,
  ) {
    this.client = new pg.Client({ connectionString: url });
  }
  async begin() {
    if (!this.open) await this.client.query("begin");
    this.open = true;
  }
  /** Takes the transaction's xid now (a write of something else comes first in real code). */
  async takeXid() {
    await this.begin();
    await this.client.query("select pg_current_xact_id()");
  }
  /** Inserts one event the way emitEvent does (its INSERT's shape); answers its id. */
  async insert(n: number): Promise<string> {
    await this.begin();
    const { rows } = await this.client.query<{ id: string }>(
      `insert into events (source, type, subject, dataschema, data) values ('test', 'test.happened', $1,
        'urn:loans:events:test.happened:1', $2::jsonb) returning id::text`,
      [this.name, JSON.stringify({ n, writer: this.name })],
    );
    return rows[0]!.id;
  }
  async end(commit: boolean) {
    if (!this.open) return;
    await this.client.query(commit ? "commit" : "rollback");
    this.open = false;
  }
}

/** A consumer that follows nextCursor, keeping everything it was served. */
export class Follower {
  seen: Envelope[] = [];
  cursor: FeedKey | undefined;
  constructor(private readonly pool: pg.Pool) {}
  async page(limit = 100): Promise<number> {
    const p = await readFeed(this.pool, { after: this.cursor, types: ["test.happened"], limit });
    this.seen.push(...p.items);
    this.cursor = p.next ?? undefined;
    return p.items.length;
  }
  async drain(limit = 100) {
    while ((await this.page(limit)) > 0);
  }
}

/** What the naive reader serves: committed rows below xmin in *position* order (the trap). */
export async function naivePositions(pool: pg.Pool, afterPosition: string): Promise<string[]> {
  const { rows } = await pool.query<{ position: string }>(
    `select position::text from events
     where xid < pg_snapshot_xmin(pg_current_snapshot()) and position > $1::bigint order by position`,
    [afterPosition],
  );
  return rows.map((r) => r.position);
}
