/**
 * The pure half of the yardstick (bench/yardstick.ts runs pgbench): reading pgbench's summary, and the
 * bench's figures as ratios to it, so that runs on days when the shared machine is twice as slow still
 * compare.
 */

/** What one `pgbench` run printed on stdout, read back. */
export interface PgbenchFigures {
  /** Transactions a second, without the initial connection time (pgbench ≥ 14) or excluding it (older). */
  tps: number;
  /** `latency average`, ms: the mean time of one transaction as a client saw it. */
  latencyMs: number;
  transactions?: number;
  failed?: number;
  clients?: number;
  threads?: number;
  /** `simple`, `extended` or `prepared`. */
  queryMode?: string;
  scale?: number;
  /** The version pgbench printed on its first line (the client's, which may differ from the server's). */
  version?: string;
}

const num = (text: string, re: RegExp): number | undefined => {
  const m = re.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
};

/**
 * pgbench's summary as figures. pgbench 14 to 18 print `tps = N (without initial connection time)`;
 * 13 and older printed two lines, `(including connections establishing)` and `(excluding connections
 * establishing)`, of which the second is the same measure. Throws, quoting the end of the output, when
 * the run was aborted or either figure is missing.
 */
export function parsePgbench(output: string): PgbenchFigures {
  const tail = () => output.trim().split("\n").slice(-5).join("\n");
  if (/run was aborted/i.test(output)) throw new Error(`pgbench's run was aborted:\n${tail()}`);
  const number = String.raw`([0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)`;
  const tps =
    num(output, new RegExp(String.raw`^\s*tps = ${number} \(without initial connection time\)`, "m")) ??
    num(output, new RegExp(String.raw`^\s*tps = ${number} \(excluding connections establishing\)`, "m")) ??
    num(output, new RegExp(String.raw`^\s*tps = ${number}`, "m"));
  const latencyMs = num(output, new RegExp(String.raw`^\s*latency average = ${number} ms`, "m"));
  if (tps === undefined || latencyMs === undefined || !(tps > 0) || !(latencyMs > 0))
    throw new Error(`no "tps = …" and "latency average = … ms" in pgbench's output:\n${tail()}`);
  const figures: PgbenchFigures = { tps, latencyMs };
  const optional: Array<[keyof PgbenchFigures, RegExp]> = [
    ["transactions", /^\s*number of transactions actually processed: (\d+)/m],
    ["failed", /^\s*number of failed transactions: (\d+)/m],
    ["clients", /^\s*number of clients: (\d+)/m],
    ["threads", /^\s*number of threads: (\d+)/m],
    ["scale", /^\s*scaling factor: (\d+)/m],
  ];
  for (const [key, re] of optional) {
    const v = num(output, re);
    if (v !== undefined) (figures as unknown as Record<string, number>)[key] = v;
  }
  const mode = /^\s*query mode: (\w+)/m.exec(output)?.[1];
  if (mode) figures.queryMode = mode;
  const version = /^pgbench \(([^)\s]+)/m.exec(output)?.[1];
  if (version) figures.version = version;
  return figures;
}

/** The two runs the ratios divide by. */
export interface YardstickRuns {
  /** `pgbench -c 8 -j 2`: the server's throughput. */
  eightClients: PgbenchFigures;
  /** `pgbench -c 1`: one client's round trip through a small transaction. */
  oneClient: PgbenchFigures;
}

/** One transport's figures from a run, as far as that run measured them. */
export interface RunFigures {
  /** Agreements/s created and decided at the highest sustained rate (1 instance each). */
  sustainedPerSec?: number;
  /** End-to-end latency at the steady rate (50/s), ms. */
  e2eP50Ms?: number;
  e2eP99Ms?: number;
  /** The relay's (or the baseline's) drain of the backlog, msg/s. */
  drainMsgPerSec?: number;
}

/** Each figure divided by the yardstick; a figure the run did not measure has no ratio. */
export interface Ratios {
  /** Agreements/s ÷ pgbench 8-client tps: agreements per TPC-B transaction the server does in the time. */
  sustainedPerTps?: number;
  /** e2e p50 ÷ pgbench 1-client average latency: how many TPC-B round trips one agreement takes end to end. */
  e2eP50PerLatency?: number;
  e2eP99PerLatency?: number;
  /** Drain msg/s ÷ pgbench 8-client tps. */
  drainPerTps?: number;
}

const divide = (a: number | undefined, b: number) =>
  a === undefined || !Number.isFinite(a) || !(b > 0) ? undefined : a / b;

export function ratios(f: RunFigures, y: YardstickRuns): Ratios {
  const r: Ratios = {
    sustainedPerTps: divide(f.sustainedPerSec, y.eightClients.tps),
    e2eP50PerLatency: divide(f.e2eP50Ms, y.oneClient.latencyMs),
    e2eP99PerLatency: divide(f.e2eP99Ms, y.oneClient.latencyMs),
    drainPerTps: divide(f.drainMsgPerSec, y.eightClients.tps),
  };
  for (const k of Object.keys(r) as Array<keyof Ratios>) if (r[k] === undefined) delete r[k];
  return r;
}

/** Three significant figures (0.135, 20.4, 1 234), "-" for none. */
export function formatRatio(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "-";
  return v >= 1000 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
}

/** The rows of the summary's ratio table, one column a transport. */
export function ratioRows(byTransport: readonly Ratios[]): string[][] {
  const row = (label: string, key: keyof Ratios) => [label, ...byTransport.map((r) => formatRatio(r[key]))];
  return [
    row("max sustained agreements/s ÷ pgbench 8-client tps", "sustainedPerTps"),
    row("e2e p50 @50/s ÷ pgbench 1-client latency", "e2eP50PerLatency"),
    row("e2e p99 @50/s ÷ pgbench 1-client latency", "e2eP99PerLatency"),
    row("drain msg/s ÷ pgbench 8-client tps", "drainPerTps"),
  ];
}
