import { createdAtKey } from "@loans/shared/http/cursor";
import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { ApplicationStatus, ApplicationsTable, OriginationDB } from "../db.ts";

export type ApplicationRow = Selectable<ApplicationsTable>;
export type ListedApplicationRow = ApplicationRow & { created_key: string };

/** Inserts the application unless its agreement is known already; returns the new row, or undefined. */
export async function insertApplication(
  trx: Transaction<OriginationDB>,
  row: Insertable<ApplicationsTable>,
): Promise<ApplicationRow | undefined> {
  return trx
    .insertInto("applications")
    .values(row)
    .onConflict((oc) => oc.column("agreement_id").doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findApplication(
  db: Kysely<OriginationDB>,
  agreementId: string,
): Promise<ApplicationRow | undefined> {
  return db.selectFrom("applications").selectAll().where("agreement_id", "=", agreementId).executeTakeFirst();
}

/** Where a page starts: strictly after this (created_at, agreement_id) in descending order. */
export interface ListPosition {
  /** created_at to the microsecond, as `created_key` gave it: a JS Date would drop the microseconds. */
  createdKey: string;
  agreementId: string;
}

/** One page, newest first, plus one row more than asked so the caller knows whether another page exists. */
export async function listApplications(
  db: Kysely<OriginationDB>,
  opts: { status?: ApplicationStatus | undefined; limit: number; after?: ListPosition | undefined },
): Promise<ListedApplicationRow[]> {
  let q = db.selectFrom("applications").selectAll().select(createdAtKey().as("created_key"));
  if (opts.status) q = q.where("status", "=", opts.status);
  if (opts.after) {
    const { createdKey, agreementId } = opts.after;
    q = q.where(sql<boolean>`(created_at, agreement_id) < (${createdKey}::timestamptz, ${agreementId}::uuid)`);
  }
  return q
    .orderBy("created_at", "desc")
    .orderBy("agreement_id", "desc")
    .limit(opts.limit + 1)
    .execute();
}

/** APPROVED → PAYMENT_PENDING once PE has the decision; any other status stays. True when it moved. */
export async function markPaymentPending(trx: Transaction<OriginationDB>, agreementId: string): Promise<boolean> {
  const r = await trx
    .updateTable("applications")
    .set({ status: "PAYMENT_PENDING", updated_at: sql`now()` })
    .where("agreement_id", "=", agreementId)
    .where("status", "=", "APPROVED")
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}
