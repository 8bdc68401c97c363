import pg from "pg";
import { type DatabaseName, REGISTRY_DATABASE, SERVICES } from "./services.ts";

/** Swaps the database name in a connection URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  return `"${name}"`;
}

async function withAdmin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  return withAdmin(serverUrl, async (c) => {
    const r = await c.query("select 1 from pg_database where datname = $1", [name]);
    return r.rowCount === 1;
  });
}

/** Creates the database unless it exists; safe when two processes race to create it. */
export async function ensureDatabase(serverUrl: string, name: string, template?: string): Promise<void> {
  await withAdmin(serverUrl, async (c) => {
    const r = await c.query("select 1 from pg_database where datname = $1", [name]);
    if (r.rowCount === 1) return;
    const from = template ? ` template ${quoteIdent(template)}` : "";
    try {
      // sql-safe: identifiers cannot be bound parameters; both names pass through quoteIdent
      await c.query(`create database ${quoteIdent(name)}${from}`);
    } catch (err) {
      // 42P04 duplicate_database, 23505 a concurrent create won the race on the catalog index
      const code = (err as { code?: string }).code;
      if (code !== "42P04" && code !== "23505") throw err;
    }
  });
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  // sql-safe: identifiers cannot be bound parameters; the name passes through quoteIdent
  await withAdmin(serverUrl, (c) => c.query(`drop database if exists ${quoteIdent(name)} with (force)`));
}

/**
 * Every service's database on one server, made unless it exists; `prefix` names them apart (`bench_1_pe`).
 * Answers each one's connection URL by database name.
 */
export async function ensureServiceDatabases(serverUrl: string, prefix = ""): Promise<Record<DatabaseName, string>> {
  const urls = {} as Record<DatabaseName, string>;
  for (const { database } of SERVICES) {
    await ensureDatabase(serverUrl, `${prefix}${database}`);
    urls[database] = withDatabase(serverUrl, `${prefix}${database}`);
  }
  return urls;
}

/** The operator registry's database on that server, made unless it exists (`<prefix>operators`); its URL. */
export async function ensureRegistryDatabase(serverUrl: string, prefix = ""): Promise<string> {
  await ensureDatabase(serverUrl, `${prefix}${REGISTRY_DATABASE}`);
  return withDatabase(serverUrl, `${prefix}${REGISTRY_DATABASE}`);
}
