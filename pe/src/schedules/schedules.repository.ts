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

/** Inserts the rows and answers them as stored, as `listSchedule` would read them back. */
export async function insertSchedule(trx: Transaction<PeDB>, agreementId: string, rows: ScheduleRow[]) {
  const stored = await trx
    .insertInto("schedule_payments")
    .values(
      rows.map((r) => ({
        agreement_id: agreementId,
        period: r.period,
        due_date: r.dueDate,
        payment: r.payment,
        principal: r.principal,
        interest: r.interest,
        balance: r.balance,
      })),
    )
    .returning(COLUMNS)
    .execute();
  return stored.sort((a, b) => a.period - b.period);
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
