import { type Kysely, type RawBuilder, sql } from "kysely";
import type { GatewayDB } from "../db.ts";
import { type BankOutcome, failureMessage } from "./steps.ts";

/**
 * The bank worker's bookkeeping on a table of money movements (payouts, payments): both carry
 * `bank_attempts`, `next_check_at`, `last_error` and `unknown_since`, and differ only in which rows are
 * still with the bank and how "the bank accepted it" is written down.
 */
export interface BankTable {
  name: "payouts" | "payments";
  /** Rows still with the bank; the same text as the table's partial index, so the sweep uses it. */
  open: RawBuilder<boolean>;
  /** The assignment that records the bank's acceptance. */
  accepted: RawBuilder<unknown>;
}

/**
 * Takes an open, due row for one step of the bank worker: its next look moves `leaseMs` ahead, so
 * neither the sweep nor another instance takes it meanwhile. Undefined when it is final, not due, or
 * taken. The lease only saves work: two steps at once would still be safe (the bank deduplicates by id,
 * and only one finalisation can move the status).
 */
export async function claimDue<Row>(
  db: Kysely<GatewayDB>,
  t: BankTable,
  id: string,
  leaseMs: number,
): Promise<Row | undefined> {
  const { rows } = await sql<Row>`
    update ${sql.table(t.name)}
    set next_check_at = now() + ${leaseMs} * interval '1 millisecond', bank_attempts = bank_attempts + 1
    where id = ${id}::uuid and ${t.open} and next_check_at <= now()
    returning *`.execute(db);
  return rows[0];
}

/** Open rows whose next look is due: their job was lost, or they wait for a later look. */
export async function dueIds(db: Kysely<GatewayDB>, t: BankTable, limit: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    select id from ${sql.table(t.name)}
    where ${t.open} and next_check_at <= now()
    order by next_check_at
    limit ${limit}`.execute(db);
  return rows.map((r) => r.id);
}

/** The next look in `delayMs`; an unknown outcome is noted with since when the outcome has been unknown. */
export async function lookLater(
  db: Kysely<GatewayDB>,
  t: BankTable,
  id: string,
  delayMs: number,
  opts: { accepted?: boolean; unknown?: string | null },
): Promise<void> {
  const sets = [sql`next_check_at = now() + ${delayMs} * interval '1 millisecond'`, sql`updated_at = now()`];
  if (opts.accepted) sets.push(t.accepted);
  if (opts.unknown) sets.push(sql`last_error = ${opts.unknown}`, sql`unknown_since = coalesce(unknown_since, now())`);
  else sets.push(sql`unknown_since = null`);
  await sql`update ${sql.table(t.name)} set ${sql.join(sets)} where id = ${id}::uuid and ${t.open}`.execute(db);
}

/** The columns every row's final status writes beside it: its failure, and no more bookkeeping of looks. */
export function finalColumns(o: BankOutcome) {
  return {
    failure_code: o.failureCode,
    failure_message: failureMessage(o.failureCode),
    last_error: null,
    unknown_since: null,
    updated_at: sql<Date>`now()`,
  };
}
