import { type Kysely, sql, type Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import { type CalendarYear, type WorkingCalendar, workingCalendar } from "./working-days.ts";

type Db = Kysely<PeDB> | Transaction<PeDB>;

export interface StoredCalendarYear extends CalendarYear {
  source: "SEED" | "ADMIN";
}

// pg parses a date[] into JS Dates at local midnight; the lists are read as 'YYYY-MM-DD' text instead, sorted.
const asText = (column: "non_working_days" | "working_weekends") =>
  sql<string[]>`array(select to_char(d, 'YYYY-MM-DD') from unnest(${sql.ref(column)}) d order by d)`;

function yearsQuery(db: Db) {
  return db
    .selectFrom("calendar_years")
    .select([
      "year",
      "source",
      asText("non_working_days").as("nonWorkingDays"),
      asText("working_weekends").as("workingWeekends"),
    ]);
}

/** Every stored year, in order. */
export async function readCalendarYears(db: Db): Promise<StoredCalendarYear[]> {
  return yearsQuery(db).orderBy("year").execute();
}

/** One stored year, or null when it has none (weekends only). */
export async function readCalendarYear(db: Db, year: number): Promise<StoredCalendarYear | null> {
  return (await yearsQuery(db).where("year", "=", year).executeTakeFirst()) ?? null;
}

/** The global calendar version: the number of PUTs made (the seeds are version 0). */
export async function readCalendarVersion(db: Db): Promise<number> {
  const row = await db.selectFrom("calendar_version").select("version").executeTakeFirstOrThrow();
  return row.version;
}

/**
 * The calendar in effect: every stored year and the current version, read in one statement so the two
 * agree even outside a transaction.
 */
export async function loadWorkingCalendar(db: Db): Promise<WorkingCalendar> {
  const { rows } = await sql<{ version: number; years: CalendarYear[] | null }>`
    select v.version,
           (select json_agg(json_build_object(
                     'year', y.year,
                     'nonWorkingDays', array(select to_char(d, 'YYYY-MM-DD') from unnest(y.non_working_days) d),
                     'workingWeekends', array(select to_char(d, 'YYYY-MM-DD') from unnest(y.working_weekends) d)))
              from calendar_years y) as years
      from calendar_version v`.execute(db);
  const row = rows[0];
  if (!row) throw new Error("calendar_version has no row (db/pe/0007_calendar.sql inserts it)");
  return workingCalendar(row.years ?? [], row.version);
}

/**
 * Locks the version row until the transaction ends: PUTs run one at a time, so the §3.8 check of one year
 * against its neighbours sees the neighbours as they will stay. Returns the current version.
 */
export async function lockCalendarVersion(trx: Transaction<PeDB>): Promise<number> {
  const row = await trx.selectFrom("calendar_version").select("version").forUpdate().executeTakeFirstOrThrow();
  return row.version;
}

/** Replaces a whole year (source ADMIN) and adds one to the version; returns the new version. */
export async function replaceCalendarYear(trx: Transaction<PeDB>, y: CalendarYear): Promise<number> {
  const values = {
    non_working_days: [...y.nonWorkingDays],
    working_weekends: [...y.workingWeekends],
    source: "ADMIN" as const,
    updated_at: sql<Date>`now()`,
  };
  await trx
    .insertInto("calendar_years")
    .values({ year: y.year, ...values })
    .onConflict((oc) => oc.column("year").doUpdateSet(values))
    .execute();
  const row = await trx
    .updateTable("calendar_version")
    .set((eb) => ({ version: eb("version", "+", 1) }))
    .returning("version")
    .executeTakeFirstOrThrow();
  return row.version;
}
