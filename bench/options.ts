import { numberFlag, parseCommandLine, UsageError } from "@loans/shared/args";

export const USAGE = `usage: pnpm bench [--quick] [--duration <s>] [--concurrency <n>] [--drain <n>] [--proxy] [--relay-only]
                  [--statements] [--yardstick-seconds <s> | --no-yardstick] [--yardstick-only]
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

export interface BenchOptions {
  quick: boolean;
  relayOnly: boolean;
  plan: BenchPlan;
  /** The pgbench yardstick at the start of the run (bench/yardstick.ts); undefined with --no-yardstick. */
  yardstick: { seconds: number } | undefined;
  yardstickOnly: boolean;
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
      help: { type: "boolean", short: "h", default: false },
    },
    USAGE,
  );
  if (values.help) throw new UsageError(USAGE, 0);
  const quick = values.quick;
  const whole = (name: "duration" | "concurrency" | "drain" | "yardstick-seconds", fallback: number, max: number) => {
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
  return {
    quick,
    relayOnly: values["relay-only"],
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
