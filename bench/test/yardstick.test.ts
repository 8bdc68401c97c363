import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatRatio, parsePgbench, ratioRows, ratios } from "../yardstick-figures.ts";

// Real output of pgbench 15.20 (Debian) against the machine's PostgreSQL 15, scale 1, 2 s runs.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
const oneClient15 = fixture("pgbench-15.20-tpcb-1-client-simple.txt");
const eightClients15 = fixture("pgbench-15.20-tpcb-8-clients-prepared.txt");

// pgbench 13 and older printed two tps lines; the second is the measure pgbench 14+ prints alone.
const old13 = `transaction type: <builtin: TPC-B (sort of)>
scaling factor: 10
query mode: simple
number of clients: 8
number of threads: 2
duration: 10 s
number of transactions actually processed: 12345
latency average = 6.481 ms
tps = 1234.111111 (including connections establishing)
tps = 1240.222222 (excluding connections establishing)
`;

describe("pgbench's output", () => {
  it("reads tps and the average latency from pgbench 15, with the run's settings", () => {
    expect(parsePgbench(oneClient15)).toEqual({
      tps: 1370.401533,
      latencyMs: 0.73,
      transactions: 2733,
      failed: 0,
      clients: 1,
      threads: 1,
      scale: 1,
      queryMode: "simple",
      version: "15.20",
    });
    expect(parsePgbench(eightClients15)).toMatchObject({
      tps: 2203.901928,
      latencyMs: 3.63,
      clients: 8,
      threads: 2,
      queryMode: "prepared",
    });
  });

  it("takes the tps without connection establishment from pgbench 13 and older", () => {
    expect(parsePgbench(old13)).toMatchObject({ tps: 1240.222222, latencyMs: 6.481, scale: 10 });
  });

  it("ignores the progress lines, which carry tps and latencies of their own", () => {
    const withProgress = oneClient15.replace(
      "transaction type:",
      "progress: 1.0 s, 999.0 tps, lat 5.000 ms stddev 0.100, 0 failed\ntransaction type:",
    );
    expect(parsePgbench(withProgress)).toMatchObject({ tps: 1370.401533, latencyMs: 0.73 });
  });

  it("refuses an aborted run and output without the figures, quoting its end", () => {
    const aborted = `${oneClient15}pgbench: error: Run was aborted; the above results are incomplete.\n`;
    expect(() => parsePgbench(aborted)).toThrow(/aborted/);
    expect(() => parsePgbench("pgbench: error: connection to server failed\n")).toThrow(
      /no "tps = …" and "latency average = … ms".*\n.*connection to server failed/,
    );
    expect(() => parsePgbench(oneClient15.replace(/^latency average.*$/m, ""))).toThrow(/latency average/);
  });
});

describe("ratios to the yardstick", () => {
  const y = { eightClients: parsePgbench(eightClients15), oneClient: parsePgbench(oneClient15) };

  it("divides rates by the 8-client tps and latencies by the 1-client average latency", () => {
    const r = ratios({ sustainedPerSec: 297, e2eP50Ms: 15.1, e2eP99Ms: 30.2, drainMsgPerSec: 39_205 }, y);
    expect(r.sustainedPerTps).toBeCloseTo(297 / 2203.901928, 10);
    expect(r.e2eP50PerLatency).toBeCloseTo(15.1 / 0.73, 10);
    expect(r.e2eP99PerLatency).toBeCloseTo(30.2 / 0.73, 10);
    expect(r.drainPerTps).toBeCloseTo(39_205 / 2203.901928, 10);
  });

  it("leaves out what the run did not measure", () => {
    expect(ratios({ sustainedPerSec: 280 }, y)).toEqual({ sustainedPerTps: 280 / 2203.901928 });
    expect(ratios({ sustainedPerSec: Number.NaN }, y)).toEqual({});
  });

  it("prints three significant figures, and a dash for none", () => {
    expect(formatRatio(297 / 2203.901928)).toBe("0.135");
    expect(formatRatio(15.1 / 0.73)).toBe("20.7");
    expect(formatRatio(1234.6)).toBe("1235");
    expect(formatRatio(undefined)).toBe("-");
    const rows = ratioRows([ratios({ sustainedPerSec: 297, drainMsgPerSec: 39_205 }, y), {}]);
    expect(rows[0]).toEqual(["max sustained agreements/s ÷ pgbench 8-client tps", "0.135", "-"]);
    expect(rows[1]).toEqual(["e2e p50 @50/s ÷ pgbench 1-client latency", "-", "-"]);
    expect(rows[3]).toEqual(["drain msg/s ÷ pgbench 8-client tps", "17.8", "-"]);
  });
});
