import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT, type RunningService, SERVICES } from "../kit/in-process.ts";
import { exposedNames, metricNames } from "../kit/promql.ts";

const RULES = join(ROOT, "ops", "prometheus", "alerts.yml");

// Series Prometheus makes itself (`up`) or takes from the blackbox exporter probing /ready: no service serves them.
const FROM_PROMETHEUS = new Set(["up", "probe_success"]);

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const groups = (parse(readFileSync(RULES, "utf8")) as { groups: Array<{ name: string; rules: Rule[] }> }).groups;
const rules = groups.flatMap((g) => g.rules);
// A group named after a service holds that service's own series; every other group's, every service serves.
const rulesFor = (service: string) =>
  groups.filter((g) => g.name === service || !SERVICES.some((s) => s.name === g.name)).flatMap((g) => g.rules);

const running: RunningService[] = [];
const exposed = new Map<string, Set<string>>();
beforeAll(async () => {
  for (const s of SERVICES) {
    const service = await s.start();
    running.push(service);
    // One request first, so the request histogram has a series as well as its family.
    await fetch(`${service.url}/health`);
    exposed.set(s.name, exposedNames(await (await fetch(`${service.url}/metrics`)).text()));
  }
});
afterAll(async () => {
  for (const s of running) await s.stop();
});

describe("ops/prometheus/alerts.yml", () => {
  it("alerts on dead messages, outbox lag, /ready failing and 5xx answers", () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(["OutboxDeadMessages", "OutboxLagging", "ServiceNotReady", "HttpServerErrors"]),
    );
    for (const r of rules) {
      expect(r.alert, r.expr).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(r.labels?.severity, r.alert).toMatch(/^(page|warn)$/);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      if (r.for) expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
    }
  });

  it.each(SERVICES.map((s) => s.name))("reads only metrics that %s serves at /metrics", (name) => {
    const served = exposed.get(name)!;
    for (const r of rulesFor(name)) {
      const names = metricNames(r.expr);
      expect(names.length, r.alert).toBeGreaterThan(0);
      for (const metric of names.filter((n) => !FROM_PROMETHEUS.has(n))) {
        expect(served.has(metric), `${r.alert}: ${metric} is not in ${name}'s /metrics`).toBe(true);
      }
    }
  });

  it("finds metric names in PromQL, leaving out functions, labels and keywords", () => {
    expect(
      metricNames(
        'sum by (service, topic) (rate(a_total{outcome!="ok"}[5m])) > 0 and on (x) b_seconds / ignoring (y) c == 0',
      ).sort(),
    ).toEqual(["a_total", "b_seconds", "c"]);
  });

  // promtool comes with Debian's prometheus package; where it is installed, it checks the file too.
  const promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].find((p) => existsSync(p));
  it.skipIf(!promtool)("passes promtool check rules", async () => {
    const { stdout } = await promisify(execFile)(promtool!, ["check", "rules", RULES]);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  // The rules' own unit tests: series in, alerts expected out (CalendarMissing's `for` and labels).
  it.skipIf(!promtool)("passes promtool test rules", async () => {
    const tests = join(ROOT, "ops", "prometheus", "alerts.test.yml");
    const { stdout } = await promisify(execFile)(promtool!, ["test", "rules", tests]);
    expect(stdout).toMatch(/SUCCESS/);
  });
});
