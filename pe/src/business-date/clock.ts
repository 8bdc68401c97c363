import { utcDate } from "../calendar.ts";
import type { PeConfig } from "../config.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { insertFirstDate, latestMove, moveInEffectAt } from "./business-date.repository.ts";

/**
 * The business clock the configuration asks for (LIFECYCLE §4.3). The system clock reads the host's
 * clock and writes nothing. The manual clock reads the history of moves (business_date); its only
 * write is the first date, BUSINESS_DATE_START (or today's UTC date), the first time anything reads it.
 */
export function createBusinessClock(
  config: Pick<PeConfig, "BUSINESS_CLOCK" | "BUSINESS_DATE_START">,
  now: () => Date = () => new Date(),
): BusinessClock {
  if (config.BUSINESS_CLOCK === "system") {
    return {
      mode: "system",
      today: async () => utcDate(now()),
      at: async (_db, instant) => utcDate(instant),
    };
  }
  const start = () => config.BUSINESS_DATE_START ?? utcDate(now());
  return {
    mode: "manual",
    async today(db) {
      const date = await latestMove(db);
      if (date !== null) return date;
      await insertFirstDate(db, start());
      return (await latestMove(db)) as string;
    },
    async at(db, instant) {
      const date = await moveInEffectAt(db, instant);
      if (date !== null) return date;
      await insertFirstDate(db, start());
      return (await moveInEffectAt(db, instant)) as string;
    },
  };
}
