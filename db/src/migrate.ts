import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import pg from "pg";
import { type DatabaseName, type MigratedDatabase, REGISTRY_DATABASE } from "./services.ts";

export type { DatabaseName, MigratedDatabase };

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

// Found through the package, not this file's place: a service's build bundles this code elsewhere.
const root = dirname(createRequire(import.meta.url).resolve("@loans/db/package.json"));

// One lock id per database: two services starting at once queue behind each other instead of racing.
const LOCK_ID = 725_019_311;

/**
 * Sets of migrations every service database gets, applied before the service's own and recorded as
 * `<set>/<file>`: the outbox owns its tables and views (db/outbox/), and the service kit its own
 * (db/kit/: the Idempotency-Key table), so one copy serves every service.
 */
export const SHARED_SETS = ["outbox", "kit"] as const;

/**
 * Files of a shared set that databases made before it existed applied as copies in their own folder,
 * byte for byte the same text, under these names. Such a database has applied the shared file already:
 * the migrator records it under its shared name (checksums compared) instead of running it again. The
 * old names stay in schema_migrations as history; no applied text ever changes, and a new database runs
 * each shared file once, from its one source.
 */
const FORMERLY: Readonly<Record<string, readonly string[]>> = {
  "outbox/0001_outbox.sql": ["pe/0001_outbox.sql", "origination/0001_outbox.sql"],
  "outbox/0002_outbox_request_id.sql": ["pe/0003_outbox_request_id.sql", "origination/0004_outbox_request_id.sql"],
};

/** The shared sets' files, then the database's own, in the order they are applied; the registry has no shared set. */
export async function readMigrations(database: MigratedDatabase): Promise<MigrationFile[]> {
  const sets = database === REGISTRY_DATABASE ? [] : SHARED_SETS;
  const shared = await Promise.all(sets.map((set) => readFolder(set, `${set}/`)));
  return [...shared.flat(), ...(await readFolder(database, ""))];
}

async function readFolder(folder: string, prefix: string): Promise<MigrationFile[]> {
  const dir = join(root, folder);
  const names = (await readdir(dir)).filter((n) => /^\d{4}_[\w-]+\.sql$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name), "utf8");
      return { name: `${prefix}${name}`, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

/** The name this database recorded `file` under before the file moved to a shared set, if it did. */
function formerName(database: MigratedDatabase, file: MigrationFile, done: Map<string, string>): string | undefined {
  for (const old of FORMERLY[file.name] ?? []) {
    const [db, name] = old.split("/") as [string, string];
    if (db !== database || !done.has(name)) continue;
    if (done.get(name) !== file.checksum) {
      throw new Error(`migration ${old} was applied with other text than ${file.name}; cannot adopt it`);
    }
    return name;
  }
  return undefined;
}

/**
 * Applies the pending migrations of one database in order, each in its own transaction.
 * Applied migrations are frozen: a file whose text changed after it was applied stops the run.
 */
export async function migrate(connectionString: string, database: MigratedDatabase): Promise<MigrateResult> {
  const files = await readMigrations(database);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [LOCK_ID]);
    await client.query(`create table if not exists schema_migrations (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await client.query<{ name: string; checksum: string }>(
      "select name, checksum from schema_migrations",
    );
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    const applied: string[] = [];
    for (const file of files) {
      const previous = done.get(file.name);
      if (previous !== undefined) {
        if (previous !== file.checksum) {
          throw new Error(
            `migration ${database}/${file.name} changed after it was applied; add a new migration instead`,
          );
        }
        continue;
      }
      if (formerName(database, file, done)) {
        await client.query("insert into schema_migrations (name, checksum) values ($1, $2)", [
          file.name,
          file.checksum,
        ]);
        continue;
      }
      await client.query("begin");
      try {
        await client.query(file.sql);
        await client.query("insert into schema_migrations (name, checksum) values ($1, $2)", [
          file.name,
          file.checksum,
        ]);
        await client.query("commit");
      } catch (err) {
        await client.query("rollback");
        throw new Error(`migration ${database}/${file.name} failed: ${(err as Error).message}`);
      }
      applied.push(file.name);
    }
    return { applied, alreadyApplied: done.size };
  } finally {
    await client.query("select pg_advisory_unlock($1)", [LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}
