import { setTimeout as sleep } from "node:timers/promises";
import { addDays } from "../kit/servicing.ts";
import { type ClientCounters, send } from "./client.ts";

export interface ClockCounters {
  /** Business days the clock moved (each ran the daily job for every agreement before PE answered). */
  days: number;
  /** Moves whose answer was lost and that PE had already made (the next move found the date moved). */
  lostAnswers: number;
}

/**
 * The clock lane: moves PE's manual business date forward one day at a time, at most `daysPerSecond`,
 * through the admin API, retrying through kills and restarts. A lost answer is harmless: a move is
 * forward-only, so the lane reads the date PE has and moves on from there. Lives wait on `reach(date)`.
 */
export function startClock(opts: {
  peUrls: () => string[];
  start: string;
  daysPerSecond: number;
  maxDays: number;
  client: ClientCounters;
}) {
  const counters: ClockCounters = { days: 0, lostAnswers: 0 };
  const last = addDays(opts.start, opts.maxDays);
  let today = opts.start;
  let stopped = false;
  const waiters: Array<{ date: string; resolve: () => void }> = [];
  const wake = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.date <= today || stopped) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  };

  const loop = (async () => {
    while (!stopped && today < last) {
      const began = Date.now();
      const date = addDays(today, 1);
      const r = await send(opts.peUrls, "POST", "/admin/business-date", opts.client, { body: { date } });
      if (r.status === 200) {
        today = date;
        counters.days++;
      } else if (r.status === 422 && r.body?.error?.code === "DATE_NOT_AFTER_CURRENT") {
        counters.lostAnswers++;
        const now = await send(opts.peUrls, "GET", "/admin/business-date", opts.client);
        today = now.body.date;
      } else throw new Error(`the clock refused to move to ${date}: ${r.status} ${JSON.stringify(r.body)}`);
      wake();
      const pause = 1000 / opts.daysPerSecond - (Date.now() - began);
      if (pause > 0) await sleep(pause);
    }
    stopped = true;
    wake();
  })();

  return {
    counters,
    today: () => today,
    /** Resolves once the business date is `date` or later (or the clock has stopped for good). */
    reach(date: string): Promise<void> {
      if (date <= today || stopped) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ date, resolve }));
    },
    /** True once the clock will move no more (stopped, or at its last day). */
    stopped: () => stopped,
    async stop() {
      stopped = true;
      wake();
      await loop;
    },
    done: loop,
  };
}
