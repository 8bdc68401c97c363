import { type Kysely, sql, type Transaction } from "kysely";
import type { PeDB } from "../db.ts";

type Db = Kysely<PeDB> | Transaction<PeDB>;

/**
 * Advisory lock keys (one-key form). MOVE_LOCK is held by POST /admin/business-date for the whole move and
 * its daily jobs; START_LOCK only while the manual clock writes its first date. Two keys, because the
 * first date may be written on another connection while a move holds its lock.
 */
export const MOVE_LOCK = sql`hashtext('loans.pe.business-date.move')`;
const START_LOCK = sql`hashtext('loans.pe.business-date.start')`;

/** The latest move's date, or null before the first. */
export async function latestMove(db: Db): Promise<string | null> {
  const row = await db.selectFrom("business_date").select("date").orderBy("date", "desc").limit(1).executeTakeFirst();
  return row?.date ?? null;
}

/** The date of the latest move that took effect at or before `instant`; before the first move, the first's. */
export async function moveInEffectAt(db: Db, instant: Date): Promise<string | null> {
  const { rows } = await sql<{ date: string }>`
    select coalesce(
      (select date from business_date where effective_at <= ${instant} order by effective_at desc limit 1),
      (select date from business_date order by effective_at limit 1)) as date`.execute(db);
  return rows[0]?.date ?? null;
}

/**
 * Writes the first date unless one is there. Under START_LOCK, and the check is a statement after the
 * lock's, so it sees a first date another instance committed while this one waited (read committed).
 * Inside the caller's transaction when given one, else in one of its own.
 */
export async function insertFirstDate(db: Db, date: string): Promise<void> {
  const write = async (trx: Transaction<PeDB>) => {
    await sql`select pg_advisory_xact_lock(${START_LOCK})`.execute(trx);
    await sql`
      insert into business_date (date)
      select ${date}::date where not exists (select 1 from business_date)
      on conflict do nothing`.execute(trx);
  };
  if (db.isTransaction) await write(db as Transaction<PeDB>);
  else await (db as Kysely<PeDB>).transaction().execute(write);
}

/**
 * A move to `date`, effective now. Its instant is never before the previous move's, even if the host's
 * clock stepped back, so the history stays ordered in both columns. The caller holds MOVE_LOCK.
 */
export async function insertMove(trx: Transaction<PeDB>, date: string): Promise<void> {
  await sql`
    insert into business_date (date, effective_at)
    select ${date}::date,
           greatest(clock_timestamp(), (select max(effective_at) + interval '1 microsecond' from business_date))`.execute(
    trx,
  );
}
