import { createdAtKey } from "@loans/shared/http/cursor";
import type { Insertable, Kysely, Selectable } from "kysely";
import type { GatewayDB, PaymentStatus, PaymentsTable } from "../db.ts";
import { type ListPosition, newestFirst } from "../list-cursor.ts";

export type PaymentRow = Selectable<PaymentsTable>;
export type ListedPaymentRow = PaymentRow & { created_key: string };

export async function insertPayment(db: Kysely<GatewayDB>, row: Insertable<PaymentsTable>): Promise<PaymentRow> {
  return db.insertInto("payments").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findPayment(db: Kysely<GatewayDB>, id: string): Promise<PaymentRow | undefined> {
  return db.selectFrom("payments").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Whether PG takes payments for the agreement (LIFECYCLE §4.1, §8.6): it has paid the agreement's
 * DISBURSEMENT itself, and PE has not announced it CLOSED (nor DISBURSEMENT_FAILED, which would contradict
 * the PAID payout: refused as well).
 */
export async function isPayable(db: Kysely<GatewayDB>, agreementId: string): Promise<boolean> {
  const row = await db
    .selectFrom("payouts as p")
    .leftJoin("agreement_statuses as s", "s.agreement_id", "p.agreement_id")
    .select("s.status")
    .where("p.agreement_id", "=", agreementId)
    .where("p.kind", "=", "DISBURSEMENT")
    .where("p.status", "=", "PAID")
    .executeTakeFirst();
  return row !== undefined && (row.status === null || row.status === "ACTIVE");
}

export async function listPayments(
  db: Kysely<GatewayDB>,
  opts: {
    agreementId?: string | undefined;
    status?: PaymentStatus | undefined;
    limit: number;
    after?: ListPosition | undefined;
  },
): Promise<ListedPaymentRow[]> {
  let q = db.selectFrom("payments").selectAll().select(createdAtKey().as("created_key"));
  if (opts.agreementId) q = q.where("agreement_id", "=", opts.agreementId);
  if (opts.status) q = q.where("status", "=", opts.status);
  return newestFirst(q, opts.after, opts.limit).execute();
}
