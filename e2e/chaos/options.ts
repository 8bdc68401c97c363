import { type NumberRule, numberFlag, parseCommandLine, UsageError } from "@loans/shared/args";

export interface ChaosOptions {
  /** Loans driven through their whole life: apply, (withdraw,) disburse, repay, close. */
  loans: number;
  /** Upper bound on the faulty phase; after it the faults stop and the lives finish without them. */
  minutes: number;
  /** Share of requests and of answers dropped, each way, on every hop between two services. */
  drop: number;
  /** Seconds between SIGKILLs of a random service instance (PE, Origination or PG); 0 for none. */
  killEvery: number;
  /** Restart PostgreSQL once, halfway through (embedded only). */
  dbRestart: boolean;
  instances: number;
  /** Loans started per second at most, so the faults act over a span of time, not a burst. */
  rate: number;
  /** Share of loans the client withdraws once approved, before asking for the money. */
  withdraw: number;
  /** The simulated bank: share of definitive failures, and of calls whose outcome is unknown. */
  bankFailureRate: number;
  bankErrorRate: number;
  /** The bank's settlement latency, `BANK_LATENCY_MS` ("50" or "20-200"). */
  bankLatency: string;
  /** The manual clock's pace at most: business days moved per wall-clock second. */
  daysPerSecond: number;
  /** PE's first business date (`BUSINESS_DATE_START`). */
  start: string;
  /** Business days the clock may move in all; lives not finished by then are reported. */
  maxDays: number;
  /** Loans whose figures are recomputed by the pure core at the end. */
  sample: number;
  seed: number;
  /** How long to wait for convergence once the faults and the clients stop. */
  convergeSeconds: number;
}

const USAGE = `pnpm chaos [--loans 2000] [--minutes 30] [--drop 0.3] [--kill-every 5] [--no-db-restart] [--instances 1]
            [--rate 20] [--withdraw 0.05] [--bank-failure-rate 0.02] [--bank-error-rate 0.2]
            [--bank-latency-ms 10-100] [--days-per-second 4] [--start 2025-01-10] [--max-days 400]
            [--sample 50] [--seed N] [--converge-seconds 300]

  --loans              loans driven through their whole life, each with a plan drawn from the seed
                       (on time, late, partial, early payoff, partial early repayment, overpaid, a failed
                       payment first, withdrawn, disbursed to a closed account, left open)
  --minutes            the faulty phase at most; the lives then finish without faults
  --drop               share of requests and of answers dropped each way on all four hops
                       (PE <-> Origination, PE <-> Payment Gateway)
  --kill-every         seconds between SIGKILLs of a random instance of any service; 0 for none
  --no-db-restart      do not restart PostgreSQL halfway through
  --rate               loans started per second at most
  --withdraw           share of loans withdrawn by the client once approved
  --bank-failure-rate  BANK_FAILURE_RATE: share of bank transfers that fail definitively
  --bank-error-rate    BANK_ERROR_RATE: share of bank calls whose outcome is unknown
  --bank-latency-ms    BANK_LATENCY_MS: settlement latency, "50" or a range "20-200"
  --days-per-second    the manual clock moves one business day at a time, at most this often
  --start              BUSINESS_DATE_START, the first business date
  --max-days           business days the clock may move in all
  --sample             loans recomputed by the pure core at the end and compared with PE's API, rows and ledger
  --seed               fixes every draw of the run (printed at the start)
  --converge-seconds   how long to wait for every outbox to empty once the faults stop`;

/** The soak's options; `--help` and every refusal come back as a UsageError (exit 0 or 2). */
export function parseChaosArgs(argv: readonly string[]): ChaosOptions {
  const { values } = parseCommandLine(
    argv,
    {
      loans: { type: "string", default: "2000" },
      minutes: { type: "string", default: "30" },
      drop: { type: "string", default: "0.3" },
      "kill-every": { type: "string", default: "5" },
      "no-db-restart": { type: "boolean", default: false },
      instances: { type: "string", default: "1" },
      rate: { type: "string", default: "20" },
      withdraw: { type: "string", default: "0.05" },
      "bank-failure-rate": { type: "string", default: "0.02" },
      "bank-error-rate": { type: "string", default: "0.2" },
      "bank-latency-ms": { type: "string", default: "10-100" },
      "days-per-second": { type: "string", default: "4" },
      start: { type: "string", default: "2025-01-10" },
      "max-days": { type: "string", default: "400" },
      sample: { type: "string", default: "50" },
      seed: { type: "string", default: String(Date.now() % 1_000_000) },
      "converge-seconds": { type: "string", default: "300" },
      help: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (values.help) throw new UsageError(USAGE, 0);
  const num = (name: keyof typeof values & string, rule: NumberRule) =>
    numberFlag(name, String(values[name]), rule, USAGE);
  const latency = String(values["bank-latency-ms"]);
  if (!/^\d{1,5}(-\d{1,5})?$/.test(latency))
    throw new UsageError(`--bank-latency-ms must be milliseconds, "50" or "20-200", not "${latency}"\n${USAGE}`);
  const start = String(values.start);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}T00:00:00Z`)))
    throw new UsageError(`--start must be a date YYYY-MM-DD, not "${start}"\n${USAGE}`);
  return {
    loans: num("loans", { min: 1, max: 1_000_000, integer: true }),
    minutes: num("minutes", { min: 0.1, max: 1440 }),
    drop: num("drop", { min: 0, max: 0.95 }),
    killEvery: num("kill-every", { min: 0, max: 3600 }),
    dbRestart: !values["no-db-restart"],
    instances: num("instances", { min: 1, max: 4, integer: true }),
    rate: num("rate", { min: 0.1, max: 100_000 }),
    withdraw: num("withdraw", { min: 0, max: 1 }),
    bankFailureRate: num("bank-failure-rate", { min: 0, max: 1 }),
    bankErrorRate: num("bank-error-rate", { min: 0, max: 0.9 }),
    bankLatency: latency,
    daysPerSecond: num("days-per-second", { min: 0.1, max: 1000 }),
    start,
    maxDays: num("max-days", { min: 1, max: 10_000, integer: true }),
    sample: num("sample", { min: 0, max: 1_000_000, integer: true }),
    seed: num("seed", { min: 0, max: 2 ** 31, integer: true }),
    convergeSeconds: num("converge-seconds", { min: 1, max: 3600 }),
  };
}
