import { setTimeout as sleep } from "node:timers/promises";
import { ensureQueue, type Logger } from "@loans/shared";
import { enqueue } from "@loans/shared/outbox/enqueue";
import type { Kysely } from "kysely";
import type { PgBoss } from "pg-boss";
import { type BankAdapter, BankUnavailable } from "../bank/bank.ts";
import type { GatewayDB } from "../db.ts";
import { claimPayout, duePayouts, lookLater, settlePayout } from "./bank.repository.ts";
import { PAYOUTS_QUEUE, payoutJobData } from "./payouts.queue.ts";
import type { PayoutRow } from "./payouts.repository.ts";
import type { PayoutSettled } from "./payouts.schemas.ts";
import { afterBank, type BankAnswer, FAILURE_MESSAGES, nextLookMs } from "./transitions.ts";

export const SETTLED_TOPIC = "payout.settled";

/** A step's lease on its payout; a step is two quick bank calls and one transaction. */
const LEASE_MS = 5_000;
/** A job keeps driving its payout while the next look is this close; later looks are the sweep's. */
const INLINE_LOOK_MS = 1_000;
const SWEEP_EVERY_MS = 500;
const SWEEP_LIMIT = 200;
const BATCH_SIZE = 50;

export interface BankWorkerDeps {
  db: Kysely<GatewayDB>;
  boss: PgBoss;
  bank: BankAdapter;
  log: Logger;
  /** Called after a payout's final status and its outbox row have committed (the relay's `wake`). */
  afterCommit?: () => void;
  /** Tests: exit the process at this point, once (config GATEWAY_CRASH_AT). */
  crashAt?: "after-bank-settled";
}

export interface BankWorker {
  start(): Promise<void>;
  /** Fetches new jobs now rather than at the next poll: called after an intake batch commits. */
  wake(): void;
  stop(): Promise<void>;
  /** Drives one payout until it is final or its next look is far off. */
  drive(payoutId: string): Promise<void>;
}

/**
 * PG's bank worker (LIFECYCLE §2.2 step 3): submits each payout with its id as the transfer id, moves it
 * IN_TRANSIT once the bank accepted, polls until the bank settles or refuses it, and then writes the final
 * status and the `payout.settled` outbox row in one transaction. An unknown outcome (BankUnavailable)
 * changes nothing but the time of the next look: a PENDING payout is submitted again with the same id, an
 * IN_TRANSIT one polled again, never FAILED. A pg-boss job starts each payout; a sweep every half second
 * takes every open payout whose next look is due, so a job lost with a killed process costs only that.
 */
export function createBankWorker(deps: BankWorkerDeps): BankWorker {
  const { db, boss, bank, log } = deps;
  const stopping = new AbortController();
  let workerId: string | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let sweeping = false;

  async function ask(p: PayoutRow): Promise<BankAnswer> {
    try {
      const t =
        p.status === "PENDING"
          ? await bank.submitTransfer({ id: p.id, amount: p.amount, accountNumber: p.account_number })
          : await bank.getTransfer(p.id);
      return t ? { kind: "transfer", transfer: t } : { kind: "none" };
    } catch (err) {
      if (err instanceof BankUnavailable) return { kind: "unknown" };
      throw err;
    }
  }

  /** One look at the bank; answers the delay to the next look, or null once the payout is final. */
  async function step(p: PayoutRow): Promise<number | null> {
    const answer = await ask(p);
    const next = afterBank(p.status, answer);
    const later = nextLookMs(p.bank_attempts);
    switch (next.kind) {
      case "ignore":
        log.warn("bank answer for a final payout ignored", { payoutId: p.id, status: p.status });
        return null;
      case "move":
        await lookLater(db, p.id, later, { inTransit: true });
        return later;
      case "wait":
        await lookLater(db, p.id, later, {
          unknown: next.unknown ? `bank ${p.status === "PENDING" ? "submit" : "poll"}: outcome unknown` : null,
        });
        return later;
      case "final": {
        if (deps.crashAt === "after-bank-settled" && next.status === "PAID") {
          log.error("crashing on purpose: the bank paid, PG has not recorded it", { payoutId: p.id });
          process.kill(process.pid, "SIGKILL");
          await sleep(60_000);
        }
        const failureMessage = next.failureCode ? (FAILURE_MESSAGES[next.failureCode] ?? next.failureCode) : null;
        const settled = await db.transaction().execute(async (trx) => {
          const row = await settlePayout(trx, p.id, { ...next, failureMessage });
          if (!row) return null;
          const payload: PayoutSettled = {
            payoutId: row.id,
            kind: row.kind,
            agreementId: row.agreement_id,
            amount: row.amount,
            status: next.status,
            settledAt: next.settledAt.toISOString(),
            failureCode: next.failureCode,
            failureMessage,
          };
          await enqueue(trx, { topic: SETTLED_TOPIC, aggregateId: row.agreement_id, payload: { ...payload } });
          return row;
        });
        if (settled) {
          deps.afterCommit?.();
          log.info("payout settled", { payoutId: p.id, status: next.status, failureCode: next.failureCode });
        }
        return null;
      }
    }
  }

  async function drive(payoutId: string): Promise<void> {
    while (!stopping.signal.aborted) {
      const p = await claimPayout(db, payoutId, LEASE_MS);
      if (!p) return;
      const delay = await step(p);
      if (delay === null || delay > INLINE_LOOK_MS) return;
      await sleep(delay + 5, undefined, { signal: stopping.signal }).catch(() => {});
    }
  }

  const sweep = async () => {
    if (sweeping || stopping.signal.aborted) return;
    sweeping = true;
    try {
      const due = await duePayouts(db, SWEEP_LIMIT);
      await Promise.all(due.map((id) => drive(id).catch((err) => warn("payout step failed", id, err))));
    } catch (err) {
      if (!stopping.signal.aborted) log.warn("payout sweep failed", { err });
    } finally {
      sweeping = false;
    }
  };

  const warn = (msg: string, payoutId: string, err: unknown) => {
    if (!stopping.signal.aborted) log.warn(msg, { payoutId, err });
  };

  return {
    async start() {
      const queue = { retryLimit: 20, retryDelay: 1, retryBackoff: true, expireInSeconds: 900 };
      await ensureQueue(boss, PAYOUTS_QUEUE, queue);
      await boss.updateQueue(PAYOUTS_QUEUE, queue);
      workerId = await boss.work(PAYOUTS_QUEUE, { batchSize: BATCH_SIZE, pollingIntervalSeconds: 2 }, async (jobs) => {
        // A step that fails (the database away) leaves the payout to the sweep; the job itself is done.
        await Promise.all(
          jobs.map(async (job) => {
            const data = payoutJobData.safeParse(job.data);
            if (!data.success) return log.warn("payout job with bad data", { jobId: job.id });
            await drive(data.data.payoutId).catch((err) => warn("payout step failed", data.data.payoutId, err));
          }),
        );
      });
      sweepTimer = setInterval(() => void sweep(), SWEEP_EVERY_MS);
      sweepTimer.unref();
    },
    wake() {
      if (workerId && !stopping.signal.aborted) boss.notifyWorker(workerId);
    },
    async stop() {
      stopping.abort();
      clearInterval(sweepTimer);
      await boss.offWork(PAYOUTS_QUEUE);
    },
    drive,
  };
}
