import { CompiledQuery, type Kysely, type Transaction } from "kysely";
import type PgBoss from "pg-boss";

/**
 * pg-boss's `db` option over a kysely transaction: a job sent through it is inserted by that
 * transaction, so it exists if and only if the transaction commits (pg-boss 10 `send(name, data, { db })`).
 */
export function bossDb<DB>(trx: Transaction<DB> | Kysely<DB>): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      // sql-safe: pg-boss's own SQL text, its values passed separately as bound parameters
      const result = await trx.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows as unknown[] };
    },
  };
}
