import { createHash } from "node:crypto";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";

const DATE_OID = 1082;

// `date` columns stay 'YYYY-MM-DD' strings: turning them into a JS Date at local midnight shifts days.
// numeric and int8 already arrive as strings, which is what money needs.
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === DATE_OID ? (v: string) => v : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface DatabaseHandle<DB> {
  db: Kysely<DB>;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * Names every parameterised statement (kysely's `query(text, values)`) after a hash of its text, so each
 * connection has PostgreSQL parse and analyse it once and from then on only binds and executes it: most
 * of the server's work on the small statements the services run. The same text always gets the same
 * name, so a name never stands for two statements. Calls in any other form pass through unchanged.
 *
 * A migration that changes a table's columns while a connection holds a statement reading them makes
 * that statement fail with "cached plan must not change result type" (0A000), on that connection, every
 * time: that one use fails, as any statement may, and the connection prepares the text afresh under a
 * new name from then on (inside a failed transaction nothing else could be sent to drop the old one).
 */
class PreparingClient extends pg.Client {
  private readonly renamed = new Map<string, string>();

  // biome-ignore lint/suspicious/noExplicitAny: pg's query has a dozen overloads; this only routes them
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === "string" && Array.isArray(values) && callback === undefined) {
      const name = this.renamed.get(config) ?? statementName(config);
      return super.query({ name, text: config, values }).catch((err: { code?: string }) => {
        if (err?.code === STALE_PLAN) this.renamed.set(config, `${name}_${++renames}`);
        throw err;
      });
    }
    return super.query(config, values, callback);
  }
}

const STALE_PLAN = "0A000";
let renames = 0;

const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `s_${createHash("sha1").update(text).digest("base64url")}`;
    // Statement texts are a fixed set, but bound the memo anyway.
    if (names.size > 10_000) names.clear();
    names.set(text, name);
  }
  return name;
}

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, types, connectionTimeoutMillis: 5_000, Client: PreparingClient });
  // An idle client whose server went away emits here; without a listener the process would die.
  // The pool drops that client and the next query opens a fresh connection.
  pool.on("error", () => {});
  // A client checked out between two queries (inside a transaction, say) emits its own "error" when the
  // server ends the connection, and the pool listens only to idle ones: without this, a database restart
  // kills the process. The transaction's next query then fails, and the broken client is discarded.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

export function createDatabase<DB>(connectionString: string, max = 10): DatabaseHandle<DB> {
  const pool = createPool(connectionString, max);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  // kysely ends the pool only if it ever ran a query through it: after a start-up that got no further
  // than `ping`, destroy alone would leave the ping's connection open.
  const close = async () => {
    await db.destroy();
    if (!pool.ended) await pool.end();
  };
  return { db, pool, close };
}

/** Answers whether the database takes a query now; for `/ready` and for the start-up check. */
export async function ping(pool: pg.Pool, timeoutMs = 2_000): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query({ text: `set local statement_timeout = ${Math.trunc(timeoutMs)}; select 1` });
  } finally {
    client.release();
  }
}
