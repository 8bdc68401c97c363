import { Dec } from "@loans/shared/money";
import { sql, type Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import type { Account, Fact, JournalType } from "../servicing/ledger-facts.ts";

/**
 * Brings the agreement's ledger to what its facts say, append-only (LIFECYCLE §8.2): a fact with no
 * lines yet is posted as its own journal; one whose lines differ (a payment valued earlier arrived and the
 * figures were recomputed) gets a journal of the difference, PENALTY_REVERSAL for a penalty day and
 * REALLOCATION otherwise; a line is never edited. Each journal balances because both sides do.
 */
export async function syncLedger(trx: Transaction<PeDB>, agreementId: string, facts: Fact[], on: string) {
  const posted = await trx
    .selectFrom("ledger_entries")
    .select(["fact", "account", sql<string>`sum(debit - credit)`.as("net")])
    .where("agreement_id", "=", agreementId)
    .groupBy(["fact", "account"])
    .execute();
  const stored = new Map<string, Map<string, Dec>>();
  for (const r of posted) {
    if (!stored.has(r.fact)) stored.set(r.fact, new Map());
    stored.get(r.fact)!.set(r.account, new Dec(r.net));
  }
  const journals: Array<{ fact: Fact; type: JournalType; on: string; lines: Array<[Account, Dec]> }> = [];
  const targets = new Map(facts.map((f) => [f.key, f]));
  // A fact the state no longer has (a penalty day that a late payment removed) is posted back to zero.
  for (const key of stored.keys()) {
    if (!targets.has(key)) targets.set(key, { key, type: "REALLOCATION", on, lines: new Map() });
  }
  for (const f of targets.values()) {
    const before = stored.get(f.key);
    const accounts = new Set<string>([...f.lines.keys(), ...(before?.keys() ?? [])]);
    const lines: Array<[Account, Dec]> = [];
    for (const a of accounts) {
      const diff = (f.lines.get(a as Account) ?? new Dec(0)).minus(before?.get(a) ?? 0);
      if (!diff.isZero()) lines.push([a as Account, diff]);
    }
    if (lines.length === 0) continue;
    const adjusting = before !== undefined;
    const type = !adjusting ? f.type : f.key.startsWith("penalty:") ? "PENALTY_REVERSAL" : "REALLOCATION";
    journals.push({ fact: f, type, on: adjusting ? on : f.on, lines });
  }
  if (journals.length === 0) return;
  const ids = await sql<{ id: string }>`
    select nextval('ledger_journal_seq')::text as id from generate_series(1, ${journals.length})`.execute(trx);
  await trx
    .insertInto("ledger_entries")
    .values(
      journals.flatMap((j, i) =>
        j.lines.map(([account, net]) => ({
          journal_id: ids.rows[i]!.id,
          agreement_id: agreementId,
          fact: j.fact.key,
          type: j.type,
          on_date: j.on,
          account,
          debit: net.gt(0) ? net.toFixed(2) : "0",
          credit: net.lt(0) ? net.neg().toFixed(2) : "0",
          payment_id: j.fact.paymentId ?? null,
          payout_id: j.fact.payoutId ?? null,
        })),
      ),
    )
    .execute();
}
