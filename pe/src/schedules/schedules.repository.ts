import { type Kysely, sql, type Transaction } from "kysely";
import { addMonthsClamped } from "../calendar.ts";
import type { PeDB } from "../db.ts";
import type { ScheduleRow } from "./schedule.ts";

const COLUMNS = [
  "period",
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
    .columns(["agreement_id", "period", "due_date", "payment", "principal", "interest", "balance"])
    .expression(
      sql`select * from unnest(
        ${column((r) => r.agreementId)}::uuid[], ${column((r) => r.period)}::int[], ${column((r) => r.dueDate)}::date[],
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
 * Re-anchors the schedule on the disbursement date (LIFECYCLE D4): period k falls due k calendar months
 * after it (SCHEDULE.md's date rule); the amounts stay as they are (30/360 amounts do not depend on dates).
 */
export async function reanchorSchedule(
  trx: Transaction<PeDB>,
  agreementId: string,
  startDate: string,
  periods: number,
) {
  const numbers = Array.from({ length: periods }, (_, i) => i + 1);
  await sql`
    update schedule_payments s set due_date = d.due_date
    from unnest(${numbers}::int[], ${numbers.map((k) => addMonthsClamped(startDate, k))}::date[]) as d(period, due_date)
    where s.agreement_id = ${agreementId}::uuid and s.period = d.period`.execute(trx);
}
