import type { Kysely } from "kysely";
import type { PeDB } from "../db.ts";
import type { CobDaySummary, RunCobDay } from "./types.ts";

/**
 * A stand-in for the daily job until the servicing store's (pe/src/servicing-store/cob.ts, exported as
 * `runCobDay`) is merged, when this module re-exports that one instead. It does the one step that needs
 * no servicing tables: brings each ACTIVE agreement's last_cob_date up to `day`, one agreement per
 * transaction under its row lock, so a payout or a payment on the same agreement waits its turn. No
 * overdue marking, penalties or closing yet: those counts are zero.
 */
export const runCobDay: RunCobDay = async (db, day) => {
  let agreements = 0;
  for (const id of await dueAgreements(db, day)) {
    if (await catchUp(db, id, day)) agreements++;
  }
  const summary: CobDaySummary = { date: day, agreements, overdueMarked: 0, penaltyPosted: "0.00", closed: 0 };
  return summary;
};

async function dueAgreements(db: Kysely<PeDB>, day: string): Promise<string[]> {
  const rows = await db
    .selectFrom("agreements")
    .select("id")
    .where("status", "=", "ACTIVE")
    .where("last_cob_date", "<", day)
    .orderBy("id")
    .execute();
  return rows.map((r) => r.id);
}

/** Re-checked under the lock: another run, or a status change, may have come first. */
async function catchUp(db: Kysely<PeDB>, id: string, day: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("agreements")
      .select("id")
      .where("id", "=", id)
      .where("status", "=", "ACTIVE")
      .where("last_cob_date", "<", day)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return false;
    await trx.updateTable("agreements").set({ last_cob_date: day }).where("id", "=", id).execute();
    return true;
  });
}
