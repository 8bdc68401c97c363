import type { Kysely, Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import type { ScheduleRow } from "./schedule.ts";

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
    .returning(["period", "due_date", "payment", "principal", "interest", "balance", "status"])
    .execute();
  return stored.sort((a, b) => a.period - b.period);
}

export function listSchedule(db: Kysely<PeDB>, agreementId: string) {
  return db
    .selectFrom("schedule_payments")
    .select(["period", "due_date", "payment", "principal", "interest", "balance", "status"])
    .where("agreement_id", "=", agreementId)
    .orderBy("period")
    .execute();
}
