import { numberFlag, parseCommandLine, UsageError } from "@loans/shared/args";

export const USAGE = `usage: pnpm bench [--quick] [--duration <s>] [--concurrency <n>] [--drain <n>] [--proxy] [--relay-only]
                  [--statements] [--yardstick-seconds <s> | --no-yardstick] [--yardstick-only]
                  [--servicing-only | --no-servicing] [--payments <n>] [--loans <n>] [--cob-days <k>] [--cob-workers <n>]
  --quick          about a minute: short phases and a 10 000-message drain
  --duration <s>   seconds of each max-rate phase (60; 8 with --quick)
  --concurrency <n> requests in flight in the closed loop (8)
  --drain <n>      messages in the backlog the relay drains (100 000; 10 000 with --quick)
  --proxy          the services talk through the fault proxies, as the e2e tests run them
  --relay-only     only the outbox relay, one instance each, no drain: for iterating on throughput
  --statements     preload pg_stat_statements in the embedded server and report the top statements
  --yardstick-seconds <s>  seconds of each pgbench run in the yardstick every run starts with (10)
  --no-yardstick   skip the yardstick: absolute figures only, no ratios
  --yardstick-only only the yardstick against the bench's server, then stop
  --servicing-only only the servicing phases (payments end to end, the daily job), each beside its baseline
  --no-servicing   the whole bench without the servicing phases
  --payments <n>   loans paid once each in the payments phase, through PG and straight to PE each (1 000; 40 with --quick)
  --loans <n>      ACTIVE loans the daily job runs over (10 000; 200 with --quick)
  --cob-days <k>   days the business date moves across the first due date (3)
  --cob-workers <n> pg-boss jobs in flight at once in the daily job's baseline (8)
BENCH_PE_DATABASE_URL / BENCH_ORIGINATION_DATABASE_URL: servers to use instead of an embedded one.`;

export interface BenchPlan {
  warmSeconds: number;
  latencySeconds: number;
  latencyRate: number;
  maxSeconds: number;
  concurrency: number;
  direct: boolean;
  drainN: number;
  statements: boolean;
}

/** The servicing phases (bench/servicing.ts). */
export interface ServicingOptions {
  payments: number;
  loans: number;
  cobDays: number;
  cobWorkers: number;
}

export interface BenchOptions {
  quick: boolean;
  relayOnly: boolean;
  plan: BenchPlan;
  /** The pgbench yardstick at the start of the run (bench/yardstick.ts); undefined with --no-yardstick. */
  yardstick: { seconds: number } | undefined;
  yardstickOnly: boolean;
  servicingOnly: boolean;
  /** undefined with --no-servicing. */
  servicing: ServicingOptions | undefined;
}

/** `pnpm bench`'s command line; `--help` and every refusal come back as a UsageError (exit 0 or 2). */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseCommandLine(
    argv,
    {
      quick: { type: "boolean", default: false },
      duration: { type: "string" },
      concurrency: { type: "string" },
      drain: { type: "string" },
      proxy: { type: "boolean", default: false },
      "relay-only": { type: "boolean", default: false },
      statements: { type: "boolean", default: false },
      "yardstick-seconds": { type: "string" },
      "no-yardstick": { type: "boolean", default: false },
      "yardstick-only": { type: "boolean", default: false },
      "servicing-only": { type: "boolean", default: false },
      "no-servicing": { type: "boolean", default: false },
      payments: { type: "string" },
      loans: { type: "string" },
      "cob-days": { type: "string" },
      "cob-workers": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    USAGE,
  );
  if (values.help) throw new UsageError(USAGE, 0);
  const quick = values.quick;
  const whole = (
    name:
      | "duration"
      | "concurrency"
      | "drain"
      | "yardstick-seconds"
      | "payments"
      | "loans"
      | "cob-days"
      | "cob-workers",
    fallback: number,
    max: number,
  ) => {
    const v = values[name];
    return v === undefined ? fallback : numberFlag(name, v, { min: 1, max, integer: true }, USAGE);
  };
  const noYardstick = values["no-yardstick"];
  if (noYardstick && values["yardstick-seconds"] !== undefined)
    throw new UsageError(`--no-yardstick and --yardstick-seconds contradict each other\n${USAGE}`);
  if (noYardstick && values["yardstick-only"])
    throw new UsageError(`--no-yardstick and --yardstick-only contradict each other\n${USAGE}`);
  if (values["yardstick-only"] && values["relay-only"])
    throw new UsageError(`--yardstick-only and --relay-only contradict each other\n${USAGE}`);
  const servicingOnly = values["servicing-only"];
  if (servicingOnly && values["no-servicing"])
    throw new UsageError(`--servicing-only and --no-servicing contradict each other\n${USAGE}`);
  if (servicingOnly && (values["relay-only"] || values["yardstick-only"]))
    throw new UsageError(
      `--servicing-only contradicts --${values["relay-only"] ? "relay-only" : "yardstick-only"}\n${USAGE}`,
    );
  return {
    quick,
    relayOnly: values["relay-only"],
    servicingOnly,
    servicing: values["no-servicing"]
      ? undefined
      : {
          payments: whole("payments", quick ? 40 : 1_000, 100_000),
          loans: whole("loans", quick ? 200 : 10_000, 1_000_000),
          cobDays: whole("cob-days", 3, 366),
          cobWorkers: whole("cob-workers", 8, 256),
        },
    yardstick: noYardstick ? undefined : { seconds: whole("yardstick-seconds", 10, 600) },
    yardstickOnly: values["yardstick-only"],
    plan: {
      warmSeconds: quick ? 2 : 5,
      latencySeconds: quick ? 5 : 20,
      latencyRate: 50,
      maxSeconds: whole("duration", quick ? 8 : 60, 3_600),
      concurrency: whole("concurrency", 8, 1_024),
      direct: !values.proxy,
      drainN: whole("drain", quick ? 10_000 : 100_000, 10_000_000),
      statements: values.statements,
    },
  };
}
