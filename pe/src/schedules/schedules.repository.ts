import { type Kysely, sql, type Transaction } from "kysely";
import { loadWorkingCalendar } from "../calendar/calendar.repository.ts";
import { addMonthsClamped } from "../calendar.ts";
import type { PeDB } from "../db.ts";
import { dueDateOf } from "./due-dates.ts";
import type { ScheduleRow } from "./schedule.ts";

const COLUMNS = [
  "period",
  "period_end",
  "due_date",
  "payment",
  "principal",
  "interest",
  "balance",
  "status",
  "paid_principal",
  "paid_interest",
  "penalty",
  "paid_penalty",
  "paid_on",
] as const;

/**
 * Inserts the schedules of several agreements in one statement (one text whatever the number of rows,
 * prepared once per connection) and answers each agreement's rows as stored, as `listSchedule` would read
 * them back, in the order the agreements were given.
 */
export async function insertSchedules(
  trx: Transaction<PeDB>,
  list: Array<{ agreementId: string; rows: ScheduleRow[] }>,
) {
  const all = list.flatMap(({ agreementId, rows }) => rows.map((r) => ({ agreementId, ...r })));
  const column = <T>(pick: (r: (typeof all)[number]) => T) => all.map(pick);
  const stored = await trx
    .insertInto("schedule_payments")
    .columns(["agreement_id", "period", "period_end", "due_date", "payment", "principal", "interest", "balance"])
    .expression(
      sql`select * from unnest(
        ${column((r) => r.agreementId)}::uuid[], ${column((r) => r.period)}::int[],
        ${column((r) => r.periodEnd)}::date[], ${column((r) => r.dueDate)}::date[],
        ${column((r) => r.payment)}::numeric[], ${column((r) => r.principal)}::numeric[],
        ${column((r) => r.interest)}::numeric[], ${column((r) => r.balance)}::numeric[])`,
    )
    .returning(["agreement_id", ...COLUMNS])
    .execute();
  const byAgreement = new Map(
    list.map(({ agreementId }) => [agreementId, [] as Array<Omit<(typeof stored)[number], "agreement_id">>]),
  );
  for (const { agreement_id, ...row } of stored) byAgreement.get(agreement_id)?.push(row);
  return list.map(({ agreementId }) => byAgreement.get(agreementId)!.sort((a, b) => a.period - b.period));
}

export function listSchedule(db: Kysely<PeDB>, agreementId: string) {
  return db
    .selectFrom("schedule_payments")
    .select(COLUMNS)
    .where("agreement_id", "=", agreementId)
    .orderBy("period")
    .execute();
}

/**
 * Re-anchors the schedule on the disbursement date (LIFECYCLE D4): period k ends k calendar months after
 * it (SCHEDULE.md's date rule) and falls due then, or under NEXT_WORKING_DAY on the first working day on
 * or after it by the calendar in effect now, whose version the agreement records (EXCEPTIONS §2.4, §3.9);
 * the amounts stay as they are (30/360 amounts do not depend on dates).
 */
export async function reanchorSchedule(
  trx: Transaction<PeDB>,
  agreementId: string,
  startDate: string,
  periods: number,
) {
  const { due_date_shift: shift } = await trx
    .selectFrom("agreements as a")
    .innerJoin("products as p", "p.code", "a.product_code")
    .select("p.due_date_shift")
    .where("a.id", "=", agreementId)
    .executeTakeFirstOrThrow();
  const cal = shift === "NONE" ? null : await loadWorkingCalendar(trx);
  const numbers = Array.from({ length: periods }, (_, i) => i + 1);
  const ends = numbers.map((k) => addMonthsClamped(startDate, k));
  const dues = ends.map((end) => (cal ? dueDateOf(shift, cal, end) : end));
  await sql`
    update schedule_payments s set period_end = d.period_end, due_date = d.due_date
    from unnest(${numbers}::int[], ${ends}::date[], ${dues}::date[]) as d(period, period_end, due_date)
    where s.agreement_id = ${agreementId}::uuid and s.period = d.period`.execute(trx);
  if (cal)
    await trx.updateTable("agreements").set({ calendar_version: cal.version }).where("id", "=", agreementId).execute();
}
