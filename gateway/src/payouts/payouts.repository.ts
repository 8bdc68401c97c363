import { createdAtKey } from "@loans/shared/http/cursor";
import type { Insertable, Kysely, Selectable, Transaction } from "kysely";
import type { GatewayDB, PayoutKind, PayoutStatus, PayoutsTable } from "../db.ts";
import { type ListPosition, newestFirst } from "../list-cursor.ts";

export type PayoutRow = Selectable<PayoutsTable>;
export type ListedPayoutRow = PayoutRow & { created_key: string };

/**
 * Inserts the payout unless its id, or a DISBURSEMENT of its agreement, is known already; answers the new
 * row, or undefined.
 */
export async function insertPayout(trx: Transaction<GatewayDB>, row: Insertable<PayoutsTable>) {
  return trx
    .insertInto("payouts")
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findPayout(db: Kysely<GatewayDB>, id: string): Promise<PayoutRow | undefined> {
  return db.selectFrom("payouts").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listPayouts(
  db: Kysely<GatewayDB>,
  opts: {
    agreementId?: string | undefined;
    status?: PayoutStatus | undefined;
    kind?: PayoutKind | undefined;
    limit: number;
    after?: ListPosition | undefined;
  },
): Promise<ListedPayoutRow[]> {
  let q = db.selectFrom("payouts").selectAll().select(createdAtKey().as("created_key"));
  if (opts.agreementId) q = q.where("agreement_id", "=", opts.agreementId);
  if (opts.status) q = q.where("status", "=", opts.status);
  if (opts.kind) q = q.where("kind", "=", opts.kind);
  return newestFirst(q, opts.after, opts.limit).execute();
}
