import { parseArgs } from "node:util";

export interface ChaosOptions {
  agreements: number;
  /** Upper bound on the faulty phase; the run stops creating when it is over. */
  minutes: number;
  /** Share of requests and of answers dropped, each way. */
  drop: number;
  /** Seconds between SIGKILLs of a random service instance; 0 for none. */
  killEvery: number;
  /** Restart PostgreSQL once, halfway through (embedded only). */
  dbRestart: boolean;
  instances: number;
  concurrency: number;
  /** Agreements per second the client offers, so the faults act over a span of time, not a burst. */
  rate: number;
  /** Share of agreements withdrawn by the client at a random moment. */
  withdraw: number;
  seed: number;
  /** How long to wait for convergence once the faults stop. */
  convergeSeconds: number;
}

const USAGE = `pnpm chaos [--agreements N] [--minutes M] [--drop 0.3] [--kill-every S] [--no-db-restart]
            [--instances 1] [--concurrency 16] [--rate 50] [--withdraw 0.1] [--seed N] [--converge-seconds 300]`;

export function parseChaosArgs(argv: string[]): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      agreements: { type: "string", default: "2000" },
      minutes: { type: "string", default: "10" },
      drop: { type: "string", default: "0.3" },
      "kill-every": { type: "string", default: "5" },
      "no-db-restart": { type: "boolean", default: false },
      instances: { type: "string", default: "1" },
      concurrency: { type: "string", default: "16" },
      rate: { type: "string", default: "50" },
      withdraw: { type: "string", default: "0.1" },
      seed: { type: "string", default: String(Date.now() % 1_000_000) },
      "converge-seconds": { type: "string", default: "300" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new Error(`--${name} must be a number from ${min} to ${max}\n${USAGE}`);
    return n;
  };
  return {
    agreements: Math.trunc(num("agreements", values.agreements, 1, 1_000_000)),
    minutes: num("minutes", values.minutes, 0.1, 1440),
    drop: num("drop", values.drop, 0, 0.95),
    killEvery: num("kill-every", values["kill-every"], 0, 3600),
    dbRestart: !values["no-db-restart"],
    instances: Math.trunc(num("instances", values.instances, 1, 4)),
    concurrency: Math.trunc(num("concurrency", values.concurrency, 1, 256)),
    rate: num("rate", values.rate, 0.1, 100_000),
    withdraw: num("withdraw", values.withdraw, 0, 1),
    seed: Math.trunc(num("seed", values.seed, 0, 2 ** 31)),
    convergeSeconds: num("converge-seconds", values["converge-seconds"], 1, 3600),
  };
}
