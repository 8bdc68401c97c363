import { type NumberRule, numberFlag, parseCommandLine, UsageError } from "@loans/shared/args";

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

/** The soak's options; `--help` and every refusal come back as a UsageError (exit 0 or 2). */
export function parseChaosArgs(argv: readonly string[]): ChaosOptions {
  const { values } = parseCommandLine(
    argv,
    {
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
    USAGE,
  );
  if (values.help) throw new UsageError(USAGE, 0);
  const num = (name: keyof typeof values & string, rule: NumberRule) =>
    numberFlag(name, String(values[name]), rule, USAGE);
  return {
    agreements: num("agreements", { min: 1, max: 1_000_000, integer: true }),
    minutes: num("minutes", { min: 0.1, max: 1440 }),
    drop: num("drop", { min: 0, max: 0.95 }),
    killEvery: num("kill-every", { min: 0, max: 3600 }),
    dbRestart: !values["no-db-restart"],
    instances: num("instances", { min: 1, max: 4, integer: true }),
    concurrency: num("concurrency", { min: 1, max: 256, integer: true }),
    rate: num("rate", { min: 0.1, max: 100_000 }),
    withdraw: num("withdraw", { min: 0, max: 1 }),
    seed: num("seed", { min: 0, max: 2 ** 31, integer: true }),
    convergeSeconds: num("converge-seconds", { min: 1, max: 3600 }),
  };
}
