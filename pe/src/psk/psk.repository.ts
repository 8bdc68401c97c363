import type { Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import type { LoanState } from "../servicing/types.ts";
import { scheduleFlows, versionFlows } from "./flows.ts";
import { computePsk, type Psk } from "./psk.ts";

/** The PSK as an agreement answer shows it (EXCEPTIONS §5). */
export interface PskView extends Psk {
  /** false while indicative (before the disbursement), true from it on. */
  final: boolean;
  scheduleVersion: number;
}

/** Writes the agreement's current PSK in the caller's transaction, the one that changed its schedule. */
export async function writePsk(trx: Transaction<PeDB>, agreementId: string, psk: PskView): Promise<void> {
  await trx
    .updateTable("agreements")
    .set({
      psk_percent: psk.percent,
      psk_amount: psk.amount,
      psk_final: psk.final,
      psk_schedule_version: psk.scheduleVersion,
    })
    .where("id", "=", agreementId)
    .execute();
}

export interface ServicedLoan {
  disbursedOn: string;
  disbursementAmount: string;
  /** What is stored now: the version the PSK was computed on, and whether it is final. */
  pskScheduleVersion: number | null;
  pskFinal: boolean | null;
}

/**
 * The PSK a serviced loan's recomputation owes (§3.11), or null when the stored one stands: final at the
 * first materialisation (start = disbursedOn, version 1), then again for each new version unless the loan
 * has closed (a payoff's version, or anything after CLOSED: the last one stays).
 */
export function servicedPsk(loan: ServicedLoan, state: LoanState, first: boolean): PskView | null {
  const current = first ? state.versions[0]! : state.versions.at(-1)!;
  if (!first && (state.closed || (loan.pskFinal && loan.pskScheduleVersion === current.version))) return null;
  const flows = first ? scheduleFlows(current.rows) : versionFlows(state);
  const psk = computePsk({ start: loan.disbursedOn, disbursementAmount: loan.disbursementAmount, flows });
  return { ...psk, final: true, scheduleVersion: current.version };
}
