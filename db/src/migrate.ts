import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import pg from "pg";

export type DatabaseName = "pe" | "origination" | "gateway";

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

export async function readMigrations(database: DatabaseName): Promise<MigrationFile[]> {
  const dir = join(root, database);
  const names = (await readdir(dir)).filter((n) => /^\d{4}_[\w-]+\.sql$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

/**
 * Applies the pending migrations of one database in order, each in its own transaction.
 * Applied migrations are frozen: a file whose text changed after it was applied stops the run.
 */
export async function migrate(connectionString: string, database: DatabaseName): Promise<MigrateResult> {
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
