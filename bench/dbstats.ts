/**
 * What the databases did during a phase: commits and rollbacks per database, WAL written (server-wide),
 * and, when the server preloads pg_stat_statements (`--statements`), the statements that took the most
 * time in each database.
 */
import pg from "pg";

export interface DbCounts {
  commits: number;
  rollbacks: number;
}

export interface Statement {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
}

export interface DbActivity {
  /** By database name. */
  databases: Record<string, DbCounts>;
  walBytes: number;
  /** By database name, the most time-consuming first; absent without pg_stat_statements. */
  statements?: Record<string, Statement[]>;
  /** By database name, every statement run (BEGIN, COMMIT and SAVEPOINT included). */
  statementCalls?: Record<string, number>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function read(serverUrl: string, names: string[]) {
  return withClient(serverUrl, async (c) => {
    // Backends flush their counters when idle, at most once a second: let them.
    await new Promise((r) => setTimeout(r, 1_100));
    const { rows } = await c.query<{ datname: string; commits: string; rollbacks: string }>(
      "select datname, xact_commit as commits, xact_rollback as rollbacks from pg_stat_database where datname = any($1)",
      [names],
    );
    const lsn = await c.query<{ lsn: string }>("select pg_current_wal_lsn()::text as lsn");
    return {
      databases: Object.fromEntries(
        rows.map((r) => [r.datname, { commits: Number(r.commits), rollbacks: Number(r.rollbacks) }]),
      ),
      lsn: lsn.rows[0]!.lsn,
    };
  });
}

/** Starts a reading; `since()` answers what happened in the named databases from then on. */
export async function dbMeter(serverUrl: string, names: string[], statements: boolean) {
  if (statements) {
    await withClient(serverUrl, async (c) => {
      await c.query("create extension if not exists pg_stat_statements");
      await c.query("select pg_stat_statements_reset()");
    });
  }
  const start = await read(serverUrl, names);
  return {
    async since(top = 15): Promise<DbActivity> {
      const end = await read(serverUrl, names);
      const databases: Record<string, DbCounts> = {};
      for (const n of names) {
        const a = start.databases[n] ?? { commits: 0, rollbacks: 0 };
        const b = end.databases[n] ?? a;
        databases[n] = { commits: b.commits - a.commits, rollbacks: b.rollbacks - a.rollbacks };
      }
      const walBytes = await withClient(serverUrl, async (c) => {
        const { rows } = await c.query<{ d: string }>("select pg_wal_lsn_diff($1, $2)::bigint::text as d", [
          end.lsn,
          start.lsn,
        ]);
        return Number(rows[0]!.d);
      });
      if (!statements) return { databases, walBytes };
      const byDb: Record<string, Statement[]> = {};
      const statementCalls: Record<string, number> = {};
      await withClient(serverUrl, async (c) => {
        for (const n of names) {
          const total = await c.query<{ calls: string }>(
            `select coalesce(sum(s.calls), 0)::text as calls
             from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = $1`,
            [n],
          );
          statementCalls[n] = Number(total.rows[0]!.calls);
          const { rows } = await c.query<{ query: string; calls: string; total: number; mean: number; rows: string }>(
            `select s.query, s.calls, s.total_exec_time as total, s.mean_exec_time as mean, s.rows
             from pg_stat_statements s join pg_database d on d.oid = s.dbid
             where d.datname = $1 order by s.total_exec_time desc limit $2`,
            [n, top],
          );
          byDb[n] = rows.map((r) => ({
            query: r.query.replace(/\s+/g, " ").slice(0, 160),
            calls: Number(r.calls),
            totalMs: Math.round(r.total),
            meanMs: Math.round(r.mean * 1000) / 1000,
            rows: Number(r.rows),
          }));
        }
      });
      return { databases, walBytes, statements: byDb, statementCalls };
    },
  };
}
