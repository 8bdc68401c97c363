import { type Kysely, sql, type Transaction } from "kysely";
import { nextDay } from "../calendar.ts";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import type { BusinessClock, CobDaySummary, RunCobDay } from "../lifecycle/business-date.ts";
import { dayNumber, fromDayNumber } from "../servicing/days.ts";
import { insertMove, MOVE_LOCK } from "./business-date.repository.ts";

export interface MoveDeps {
  db: Kysely<PeDB>;
  clock: BusinessClock;
  runCobDay: RunCobDay;
  maxMoveDays: number;
}

/**
 * Why a move from `current` to `date` is refused, or null: the clock goes only forward, and at most
 * `maxDays` days at once, since the move runs the daily job for every day crossed before it answers.
 */
export function moveRefusal(current: string, date: string, maxDays: number) {
  if (date <= current) {
    return peError("DATE_NOT_AFTER_CURRENT", `the business date is ${current}; a move must go after it`, [
      { path: "date", message: `must be after ${current}`, current },
    ]);
  }
  const days = dayNumber(date) - dayNumber(current);
  if (days <= maxDays) return null;
  const latest = fromDayNumber(dayNumber(current) + maxDays);
  return peError(
    "MOVE_TOO_FAR",
    `a move may cross at most ${maxDays} days (BUSINESS_DATE_MAX_MOVE_DAYS); ${date} is ${days} ahead`,
    [{ path: "date", message: `must be at most ${latest}`, current, maxDays }],
  );
}

/**
 * Moves the manual clock to `date` and runs the daily job for every day crossed, in order (LIFECYCLE
 * §4.3). The move commits first, so it takes effect before that day's job (§8.1). A session advisory lock
 * held on one connection from the check to the last day's job keeps two moves from interleaving: the
 * second sees the first's date, and its days start after the first's end. If a day's job fails, the move
 * stands; the job is resumable and the next move, or the next start, catches every agreement up.
 */
export async function moveBusinessDate(
  deps: MoveDeps,
  date: string,
  // Called in the move's transaction, after the move: where the operator's audit row goes.
  recordMove: (trx: Transaction<PeDB>, from: string) => Promise<unknown> = async () => {},
): Promise<{ date: string; cob: CobDaySummary[] }> {
  return deps.db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MOVE_LOCK})`.execute(conn);
    try {
      const from = await conn.transaction().execute(async (trx) => {
        const current = await deps.clock.today(trx);
        const refusal = moveRefusal(current, date, deps.maxMoveDays);
        if (refusal) throw refusal;
        // Last in the transaction: the instant it takes effect is as near its commit as can be.
        await insertMove(trx, date);
        await recordMove(trx, current);
        return current;
      });
      const cob: CobDaySummary[] = [];
      for (let day = nextDay(from); day <= date; day = nextDay(day)) cob.push(await deps.runCobDay(deps.db, day));
      return { date, cob };
    } finally {
      await sql`select pg_advisory_unlock(${MOVE_LOCK})`.execute(conn);
    }
  });
}
