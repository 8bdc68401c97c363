import { type Kysely, sql, type Transaction } from "kysely";
import type { AgreementStatus, PeDB } from "../db.ts";
import { AGREEMENT_STATUSES } from "./transitions.ts";

export interface DecisionRecord {
  result: "APPROVED" | "REJECTED";
  reasons: Array<{ code: string; message: string }>;
  decidedAt: string;
}

/** The agreement's status, its row locked until the transaction ends: messages about it apply one at a time. */
export async function lockAgreementStatus(
  trx: Transaction<PeDB>,
  id: string,
): Promise<{ status: AgreementStatus } | null> {
  const row = await trx.selectFrom("agreements").select("status").where("id", "=", id).forUpdate().executeTakeFirst();
  return row ?? null;
}

/** Moves the agreement to `status`, with the decision that moved it when there is one. */
export async function setStatus(
  trx: Transaction<PeDB>,
  id: string,
  status: AgreementStatus,
  decision: DecisionRecord | null,
): Promise<void> {
  await trx
    .updateTable("agreements")
    .set((eb) => ({
      status,
      updated_at: eb.fn("now"),
      ...(decision && {
        decision_result: decision.result,
        decision_reasons: JSON.stringify(decision.reasons),
        decided_at: new Date(decision.decidedAt),
      }),
    }))
    .where("id", "=", id)
    .execute();
}

/**
 * One row per status entered; entering it again is a no-op (the key is agreement × status). Only
 * status-moves.ts calls it, beside the move's event: a move is recorded through `recordMoves`.
 */
export async function recordStatus(
  trx: Transaction<PeDB>,
  id: string,
  status: AgreementStatus,
  at?: Date,
): Promise<void> {
  await trx
    .insertInto("agreement_status_history")
    .values({ agreement_id: id, status, ...(at && { at }) })
    .onConflict((oc) => oc.columns(["agreement_id", "status"]).doNothing())
    .execute();
}

/** `recordStatus` for several agreements in one statement, every one entering `status` at `at`. */
export async function recordSameStatus(
  trx: Transaction<PeDB>,
  ids: string[],
  status: AgreementStatus,
  at: Date,
): Promise<void> {
  await trx
    .insertInto("agreement_status_history")
    .columns(["agreement_id", "status", "at"])
    .expression(sql`select id, ${status}::text, ${at}::timestamptz from unnest(${ids}::uuid[]) as id`)
    .onConflict((oc) => oc.columns(["agreement_id", "status"]).doNothing())
    .execute();
}

export function listStatusHistory(db: Kysely<PeDB>, id: string) {
  return (
    db
      .selectFrom("agreement_status_history")
      .select(["status", "at"])
      .where("agreement_id", "=", id)
      .orderBy("at")
      // Two statuses entered within one clock tick still list in lifecycle order.
      // sql-safe: the statuses are this module's constants, never input
      .orderBy(sql`array_position(${sql.lit(`{${AGREEMENT_STATUSES.join(",")}}`)}::text[], status)`)
      .execute()
  );
}

/**
 * The clock after the agreement's row lock, not the transaction's start: whoever held the lock before us
 * entered its status earlier, and the history lists statuses by time.
 */
export async function lockedNow(trx: Transaction<PeDB>): Promise<Date> {
  const { rows } = await sql<{ at: Date }>`select clock_timestamp() as at`.execute(trx);
  return rows[0]!.at;
}

/** lockAgreementStatus for many agreements at once, locked in id order so concurrent batches queue instead of deadlocking. */
export async function lockAgreementStatuses(
  trx: Transaction<PeDB>,
  ids: readonly string[],
): Promise<Map<string, AgreementStatus>> {
  const rows = await trx
    .selectFrom("agreements")
    .select(["id", "status"])
    .where("id", "=", sql<string>`any(${[...ids]}::uuid[])`)
    .orderBy("id")
    .forUpdate()
    .execute();
  return new Map(rows.map((r) => [r.id, r.status]));
}

export interface StatusChange {
  id: string;
  status: AgreementStatus;
  decision: DecisionRecord | null;
}

/** setStatus for many agreements in one statement: each moves to its status, with the decision that moved it if any. */
export async function setStatuses(trx: Transaction<PeDB>, changes: readonly StatusChange[]): Promise<void> {
  if (changes.length === 0) return;
  const ids = changes.map((c) => c.id);
  const statuses = changes.map((c) => c.status);
  const results = changes.map((c) => c.decision?.result ?? null);
  const reasons = changes.map((c) => (c.decision ? JSON.stringify(c.decision.reasons) : null));
  const decidedAt = changes.map((c) => c.decision?.decidedAt ?? null);
  await sql`
    update agreements a set
      status = c.status, updated_at = now(),
      decision_result = coalesce(c.result, a.decision_result),
      decision_reasons = coalesce(c.reasons, a.decision_reasons),
      decided_at = coalesce(c.decided_at, a.decided_at)
    from unnest(${ids}::uuid[], ${statuses}::text[], ${results}::text[], ${reasons}::jsonb[], ${decidedAt}::timestamptz[])
      as c(id, status, result, reasons, decided_at)
    -- The ids twice: the rows are found by key whatever the statistics (record.ts summarizeMessages says why).
    where a.id = c.id and a.id = any(${ids}::uuid[])`.execute(trx);
}

/** recordStatus for many in one statement, in the order given (status-moves.ts only, as recordStatus). */
export async function recordStatuses(
  trx: Transaction<PeDB>,
  entered: ReadonlyArray<{ id: string; status: AgreementStatus; at: Date }>,
): Promise<void> {
  if (entered.length === 0) return;
  await sql`
    insert into agreement_status_history (agreement_id, status, at)
    select * from unnest(${entered.map((e) => e.id)}::uuid[], ${entered.map((e) => e.status)}::text[],
      ${entered.map((e) => e.at)}::timestamptz[])
    on conflict (agreement_id, status) do nothing`.execute(trx);
}
