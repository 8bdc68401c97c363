import { type Kysely, sql, type Transaction } from "kysely";
import type { GatewayDB } from "../db.ts";
import type { PayoutRow } from "./payouts.repository.ts";

const OPEN = ["PENDING", "IN_TRANSIT"] as const;

/**
 * Takes an open, due payout for one step of the bank worker: its next look moves `leaseMs` ahead, so
 * neither the sweep nor another instance takes it meanwhile. Undefined when it is final, not due, or
 * taken. The lease only saves work: two steps at once would still be safe (the bank deduplicates by id,
 * and only one finalisation can move the status).
 */
export async function claimPayout(db: Kysely<GatewayDB>, id: string, leaseMs: number): Promise<PayoutRow | undefined> {
  return db
    .updateTable("payouts")
    .set({
      next_check_at: sql`now() + ${leaseMs} * interval '1 millisecond'`,
      bank_attempts: sql`bank_attempts + 1`,
    })
    .where("id", "=", id)
    .where("status", "in", OPEN)
    .where("next_check_at", "<=", sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
}

/** Open payouts whose next look is due: their job was lost, or they wait for a later look. */
export async function duePayouts(db: Kysely<GatewayDB>, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom("payouts")
    .select("id")
    .where("status", "in", OPEN)
    .where("next_check_at", "<=", sql<Date>`now()`)
    .orderBy("next_check_at")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** The next look in `delayMs`; an unknown outcome is noted with since when the outcome has been unknown. */
export async function lookLater(
  db: Kysely<GatewayDB>,
  id: string,
  delayMs: number,
  opts: { inTransit?: boolean; unknown?: string | null },
): Promise<void> {
  await db
    .updateTable("payouts")
    .set({
      next_check_at: sql`now() + ${delayMs} * interval '1 millisecond'`,
      updated_at: sql`now()`,
      ...(opts.inTransit && { status: "IN_TRANSIT" as const }),
      ...(opts.unknown
        ? { last_error: opts.unknown, unknown_since: sql`coalesce(unknown_since, now())` }
        : { unknown_since: null }),
    })
    .where("id", "=", id)
    .where("status", "in", OPEN)
    .execute();
}

/** PENDING | IN_TRANSIT → PAID | FAILED; undefined when it was final already (nothing written). */
export async function settlePayout(
  trx: Transaction<GatewayDB>,
  id: string,
  s: { status: "PAID" | "FAILED"; settledAt: Date; failureCode: string | null; failureMessage: string | null },
) {
  return trx
    .updateTable("payouts")
    .set({
      status: s.status,
      settled_at: s.settledAt,
      failure_code: s.failureCode,
      failure_message: s.failureMessage,
      last_error: null,
      unknown_since: null,
      updated_at: sql`now()`,
    })
    .where("id", "=", id)
    .where("status", "in", OPEN)
    .returningAll()
    .executeTakeFirst();
}
