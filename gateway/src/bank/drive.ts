/**
 * The bank worker's step (worker.ts runs it): one look at the bank for a row, a row driven while its next
 * look is close, and the sweep of every row whose next look is due.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@loans/shared";
import type { DrainResult } from "@loans/shared/kit/drain-loop";
import type { Kysely, Transaction } from "kysely";
import type { CrashPoint } from "../config.ts";
import type { GatewayDB } from "../db.ts";
import { type BankAdapter, BankUnavailable, type TransferOrder } from "./bank.ts";
import { type BankTable, claimDue, dueIds, lookLater } from "./bookkeeping.ts";
import { afterBank, type BankAnswer, type BankOutcome, type BankPhase, nextLookMs } from "./steps.ts";

/** A step's lease on its row; a step is two quick bank calls and one transaction. */
const LEASE_MS = 5_000;
/** A job keeps driving its row while the next look is this close; later looks are the sweep's. */
const INLINE_LOOK_MS = 1_000;
const SWEEP_LIMIT = 200;

/** Bookkeeping columns every movement row has. */
export interface MovementRow {
  id: string;
  bank_attempts: number;
}

/** What the worker needs to know of one kind of money movement: payouts (OUT) or payments (IN). */
export interface MovementKind<Row extends MovementRow> {
  /** "payout" or "payment": in logs. */
  what: string;
  queue: string;
  table: BankTable;
  /** The row's id from a job's data; undefined for data that is not this queue's. */
  jobId(data: unknown): string | undefined;
  phase(row: Row): BankPhase;
  order(row: Row): TransferOrder;
  /**
   * Writes the bank's final outcome, and whatever announces it, in `trx`; false when the row was final
   * already (nothing written).
   */
  settle(trx: Transaction<GatewayDB>, row: Row, outcome: BankOutcome): Promise<boolean>;
  /** Tests: GATEWAY_CRASH_AT's value that crashes once the bank settled a row of this kind. */
  crashPoint: CrashPoint;
}

/** What driving a row needs: the bank, the row's kind, the database, and whether the worker is stopping. */
export interface Driving<Row extends MovementRow> {
  db: Kysely<GatewayDB>;
  bank: BankAdapter;
  log: Logger;
  kind: MovementKind<Row>;
  /** Called after a final status and its outbox row have committed (the relay's `wake`). */
  afterCommit?: () => void;
  /** Tests: exit the process at this point, once (config GATEWAY_CRASH_AT). */
  crashAt?: CrashPoint;
  stopped: AbortSignal;
}

async function ask<Row extends MovementRow>(c: Driving<Row>, phase: BankPhase, row: Row): Promise<BankAnswer> {
  try {
    const t = phase === "submit" ? await c.bank.submitTransfer(c.kind.order(row)) : await c.bank.getTransfer(row.id);
    return t ? { kind: "transfer", transfer: t } : { kind: "none" };
  } catch (err) {
    if (err instanceof BankUnavailable) return { kind: "unknown" };
    throw err;
  }
}

/** One look at the bank; answers the delay to the next look, or null once the row is final. */
async function step<Row extends MovementRow>(c: Driving<Row>, row: Row): Promise<number | null> {
  const { db, kind, log } = c;
  const phase = kind.phase(row);
  const next = afterBank(phase, phase === "final" ? { kind: "none" } : await ask(c, phase, row));
  const later = nextLookMs(row.bank_attempts);
  const fields = { [`${kind.what}Id`]: row.id };
  switch (next.kind) {
    case "ignore":
      log.warn(`bank answer for a final ${kind.what} ignored`, fields);
      return null;
    case "accepted":
      await lookLater(db, kind.table, row.id, later, { accepted: true });
      return later;
    case "wait":
      await lookLater(db, kind.table, row.id, later, {
        unknown: next.unknown ? `bank ${phase === "submit" ? "submit" : "poll"}: outcome unknown` : null,
      });
      return later;
    case "final": {
      if (c.crashAt === kind.crashPoint && next.outcome === "SETTLED") {
        log.error(`crashing on purpose: the bank settled a ${kind.what}, PG has not recorded it`, fields);
        process.kill(process.pid, "SIGKILL");
        await sleep(60_000);
      }
      const settled = await db.transaction().execute((trx) => kind.settle(trx, row, next));
      if (settled) {
        c.afterCommit?.();
        log.info(`${kind.what} settled`, { ...fields, outcome: next.outcome, failureCode: next.failureCode });
      }
      return null;
    }
  }
}

export async function drive<Row extends MovementRow>(c: Driving<Row>, id: string): Promise<void> {
  while (!c.stopped.aborted) {
    const row = await claimDue<Row>(c.db, c.kind.table, id, LEASE_MS);
    if (!row) return;
    const delay = await step(c, row);
    if (delay === null || delay > INLINE_LOOK_MS) return;
    await sleep(delay + 5, undefined, { signal: c.stopped }).catch(() => {});
  }
}

export function driveOrWarn<Row extends MovementRow>(c: Driving<Row>, id: string): Promise<void> {
  return drive(c, id).catch((err) => {
    if (!c.stopped.aborted) c.log.warn(`${c.kind.what} step failed`, { [`${c.kind.what}Id`]: id, err });
  });
}

/**
 * Every open row whose next look is due, each driven as far as it goes inline. Never full: a row whose
 * step keeps failing stays due, and a sweep straight after this one would spin on it; the next tick
 * takes what is left.
 */
export async function sweep<Row extends MovementRow>(c: Driving<Row>): Promise<DrainResult> {
  if (c.stopped.aborted) return { claimed: 0, full: false };
  const due = await dueIds(c.db, c.kind.table, SWEEP_LIMIT);
  await Promise.all(due.map((id) => driveOrWarn(c, id)));
  return { claimed: due.length, full: false };
}
