import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agreementBody, makeClients, random } from "../kit/requests.ts";
import { converged } from "../kit/scenario.ts";
import type { System } from "../kit/system.ts";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

/**
 * Thousands of generated requests, valid and not, against both services as processes. Whatever comes in:
 * no 500, no hang, every error in the one error shape, and nothing written but by the requests that
 * were answered 201.
 */
const CASES = 4_000;
const CONCURRENCY = 8;
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_917);

let test: TestSystem;
let system: System;

beforeAll(async () => {
  test = await startTestSystem();
  ({ system } = test);
});
afterAll(async () => {
  await test?.stop();
});

const UUIDISH = fc.oneof(
  fc.uuid(),
  fc.constantFrom("00000000-0000-0000-0000-000000000000", "not-a-uuid", "1", "-1", "null", "undefined", "%00"),
  fc.string({ maxLength: 60 }).map(encodeURIComponent),
  fc.string({ unit: "grapheme-ascii", maxLength: 40 }),
);
const JUNK_SEGMENT = fc.oneof(
  fc.constantFrom("%", "%zz", "%00", "%ff", "%c3%28", "%e2%82", "%2F", "%2e%2e", "..", ".", "%25", "+", "~", "%u0041"),
  fc.string({ unit: "grapheme", maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: "grapheme-ascii", maxLength: 30 }),
);

const PE_PATHS = [
  "/agreements",
  "/agreements/{id}",
  "/agreements/{id}/withdraw",
  "/clients/{id}",
  "/products",
  "/products/{id}",
  "/internal/decisions",
  "/health",
  "/ready",
  "/metrics",
  "/openapi.json",
];
const ORIGINATION_PATHS = [
  "/applications",
  "/applications/{id}",
  "/internal/applications",
  "/internal/withdrawals",
  "/health",
  "/ready",
  "/openapi.json",
];

const swapCase = (s: string) => [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");

const pathFor = (templates: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...templates), UUIDISH).map(([t, id]) => t.replace("{id}", id)) },
    { weight: 1, arbitrary: fc.constantFrom(...templates).map((t) => swapCase(t.replace("{id}", "x"))) },
    { weight: 1, arbitrary: fc.constantFrom(...templates).map((t) => `${t.replace("{id}", "x")}/`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...templates).map((t) => `/%${t.charCodeAt(1).toString(16)}${t.slice(2)}`),
    },
    {
      weight: 2,
      arbitrary: fc.array(JUNK_SEGMENT, { minLength: 1, maxLength: 6 }).map((segs) => `/${segs.join("/")}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("a", "%41", "/x", "agreements/"), fc.integer({ min: 100, max: 2_000 }))
        .map(([s, n]) => `/${s.repeat(n)}`.slice(0, 7_000)),
    },
  );

const QUERY = fc.oneof(
  { weight: 3, arbitrary: fc.constant("") },
  {
    weight: 4,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom("status", "limit", "cursor", "clientId", "status[]", "__proto__"), fc.string()),
          fc.oneof(
            fc.constantFrom("NEW", "APPROVED", "0", "100", "101", "-1", "1e3", "abc", "", "eyJ4IjoxfQ"),
            fc.string({ unit: "grapheme", maxLength: 80 }),
          ),
        ),
        { maxLength: 6 },
      )
      .map((ps) => `?${ps.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")}`),
  },
  { weight: 1, arbitrary: JUNK_SEGMENT.map((j) => `?${j}&${j}=${j}`) },
);

const CONTENT_TYPE = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/json; charset=latin1",
  "application/vnd.api+json",
  "application/merge-patch+json",
  "text/plain",
  "text/json",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/",
  ";;;",
  "",
);
const ASCII = (max: number) => fc.string({ unit: "grapheme-ascii", maxLength: max });
const HEADERS_SOMETIMES = fc.record(
  {
    "content-type": fc.oneof({ weight: 4, arbitrary: fc.constant("application/json") }, CONTENT_TYPE),
    "idempotency-key": fc.oneof(ASCII(250), fc.constantFrom("fz-1", "fz-2", "fz-3"), fc.uuid()),
    authorization: fc.oneof(
      ASCII(80),
      ASCII(40).map((s) => `Bearer ${s}`),
      fc.constant("Bearer"),
    ),
    "x-signature": fc.oneof(
      ASCII(120),
      fc
        .tuple(fc.integer(), fc.stringMatching(/^[0-9a-f]{64}$/))
        .map(([t, v]) => `t=${Math.floor(Date.now() / 1000) + (t % 1000)},v1=${v}`),
      fc.constantFrom("t=,v1=", `v1=${"0".repeat(64)}`, "t=1e10,v1=zz", ",,,,", "t=0,v1=0"),
    ),
  },
  { requiredKeys: [] },
);
// Mostly JSON, so that most bodies get past the media type to the parsers and the schemas.
const HEADERS = fc
  .tuple(HEADERS_SOMETIMES, fc.integer({ min: 0, max: 3 }))
  .map(([h, n]) => (n === 0 || "content-type" in h ? h : { ...h, "content-type": "application/json" }));

/** Values to put where a valid field was; `{ raw }` is spliced into the JSON text as is. */
const REPLACEMENT = fc.oneof(
  fc.anything(),
  fc.jsonValue(),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.constantFrom(
    "",
    " 300000.00 ",
    "300000.001",
    "1e6",
    "-1",
    "0",
    "NaN",
    "Infinity",
    "99999999999999999999999999999.99",
    "0x10",
    "３００",
    "1990-02-30",
    "9999-12-31",
    "\u0000",
    "<script>",
    "'; drop table agreements; --",
    "CL1.0 ",
  ),
  fc.constantFrom(
    { raw: "1e400" },
    { raw: "-1e400" },
    { raw: "123456789012345678901234567890" },
    { raw: "1e-400" },
    { raw: "-0" },
    { raw: "12.0000000000000000001" },
    { raw: "9007199254740993" },
  ),
  fc.integer({ min: 5, max: 60 }).map((d) => ({ raw: `${"[".repeat(d)}1${"]".repeat(d)}` })),
);

const AGREEMENT_FIELDS = [
  "productCode",
  "client",
  "disbursementAmount",
  "termMonths",
  "interestRate",
  "originationFee",
  "client.firstName",
  "client.lastName",
  "client.middleName",
  "client.birthDate",
  "client.passportNumber",
  "client.email",
  "client.phone",
  "client.monthlyIncome",
  "__proto__",
  "constructor",
  "unknownField",
  "client.unknownField",
];
const PRODUCT_FIELDS = [
  "code",
  "name",
  "minTermMonths",
  "maxTermMonths",
  "minPrincipal",
  "maxPrincipal",
  "minInterestRate",
  "maxInterestRate",
  "minOriginationFee",
  "maxOriginationFee",
  "unknownField",
];

interface Mutation {
  field: string;
  action: "replace" | "delete";
  value: unknown;
}
const mutations = (fields: string[]) =>
  fc.array(
    fc.record({
      field: fc.constantFrom(...fields),
      action: fc.constantFrom("replace", "replace", "delete"),
      value: REPLACEMENT,
    }) as fc.Arbitrary<Mutation>,
    { maxLength: 3 },
  );

type BodySpec =
  | { kind: "none" }
  | { kind: "text"; text: string }
  | { kind: "agreement"; mutations: Mutation[] }
  | { kind: "product"; mutations: Mutation[] };

const text = (t: string): BodySpec => ({ kind: "text", text: t });
const BODY: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<BodySpec>({ kind: "none" }) },
  { weight: 2, arbitrary: fc.json().map(text) },
  {
    weight: 2,
    arbitrary: fc.anything().map((v) => text(JSON.stringify(v) ?? "undefined")),
  },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 300 }).map(text) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 300 }).map(text) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("[", '{"a":', '{"client":'), fc.integer({ min: 10, max: 20_000 }), fc.boolean())
      .map(([open, n, closed]) => text(open.repeat(n) + (closed ? `1${(open === "[" ? "]" : "}").repeat(n)}` : ""))),
  },
  { weight: 1, arbitrary: fc.constant(text(`"${"x".repeat(70_000)}"`)) },
  { weight: 6, arbitrary: mutations(AGREEMENT_FIELDS).map((m) => ({ kind: "agreement" as const, mutations: m })) },
  { weight: 2, arbitrary: mutations(PRODUCT_FIELDS).map((m) => ({ kind: "product" as const, mutations: m })) },
);

interface Case {
  service: "pe" | "origination";
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: BodySpec;
}

const CASE: fc.Arbitrary<Case> = fc
  .oneof(
    { weight: 2, arbitrary: fc.constant("pe" as const) },
    { weight: 1, arbitrary: fc.constant("origination" as const) },
  )
  .chain((service) =>
    fc.record({
      service: fc.constant(service),
      method: fc.constantFrom("GET", "POST", "POST", "PUT", "DELETE", "PATCH"),
      path: fc.oneof(
        { weight: 3, arbitrary: pathFor(service === "pe" ? PE_PATHS : ORIGINATION_PATHS) },
        // the body fuzz needs the endpoints that take one, often
        {
          weight: 2,
          arbitrary: fc.constantFrom(...(service === "pe" ? ["/agreements", "/products"] : ["/applications"])),
        },
      ),
      query: QUERY,
      headers: HEADERS,
      body: BODY,
    }),
  );

function setPath(target: Record<string, unknown>, field: string, m: Mutation) {
  const parts = field.split(".");
  let obj = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof obj[p] !== "object" || obj[p] === null) return;
    obj = obj[p] as Record<string, unknown>;
  }
  const key = parts.at(-1)!;
  if (m.action === "delete") delete obj[key];
  else {
    const v = m.value as { raw?: string } | undefined;
    Object.defineProperty(obj, key, {
      value: v && typeof v === "object" && typeof v.raw === "string" ? `__RAW_${m.field}__` : m.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

const product = (i: number) => ({
  code: `FZ${process.pid % 1000}N${i}`,
  name: "Fuzzed",
  minTermMonths: 3,
  maxTermMonths: 12,
  minPrincipal: "1000.00",
  maxPrincipal: "2000.00",
  minInterestRate: "5",
  maxInterestRate: "10",
  minOriginationFee: "0.00",
  maxOriginationFee: "100.00",
});

/** The body's text: valid bodies get their own passport or product code, then the mutations. */
function bodyText(spec: BodySpec, i: number): string | undefined {
  if (spec.kind === "none") return undefined;
  if (spec.kind === "text") return spec.text;
  const rnd = random(SEED + i);
  const base: Record<string, unknown> =
    spec.kind === "agreement"
      ? agreementBody(makeClients(1, rnd, `FZ${process.pid % 1000}N${i}X`)[0]!, rnd)
      : product(i);
  for (const m of spec.mutations) setPath(base, m.field, m);
  let text = JSON.stringify(base) ?? "null";
  for (const m of spec.mutations) {
    const raw = (m.value as { raw?: string } | undefined)?.raw;
    if (typeof raw === "string") text = text.replace(`"__RAW_${m.field}__"`, raw);
  }
  return text;
}

interface Outcome {
  status: number;
  text: string;
  pathname: string;
}

const describeCase = (c: Case, i: number, body: string | undefined) =>
  JSON.stringify({ i, ...c, body: body === undefined ? undefined : body.slice(0, 2_000) }, null, 1);

describe("fuzzing both services over HTTP", () => {
  it("never answers 500, never hangs, always in the error shape, and writes only what it answered 201 for", async () => {
    const pe = new pg.Client({ connectionString: test.peDb.url });
    const origination = new pg.Client({ connectionString: test.originationDb.url });
    await pe.connect();
    await origination.connect();
    const peCounts = async () =>
      (
        await pe.query(`select (select count(*) from agreements)::int as agreements,
                               (select count(*) from clients)::int as clients,
                               (select count(*) from schedule_payments)::int as schedule_payments,
                               (select count(*) from outbox)::int as outbox,
                               (select count(*) from products)::int as products`)
      ).rows[0] as Record<string, number>;
    const originationCounts = async () =>
      (
        await origination.query(`select (select count(*) from applications)::int as applications,
                                        (select count(*) from outbox)::int as outbox`)
      ).rows[0] as Record<string, number>;

    try {
      const peBefore = await peCounts();
      const originationBefore = await originationCounts();

      const cases = fc.sample(CASE, { numRuns: CASES, seed: SEED });
      const statuses = new Map<string, number>();
      const failures: string[] = [];
      const created = { agreements: 0, schedule: 0, clients: new Set<string>(), products: 0 };
      let unsendable = 0;

      const run = async (c: Case, i: number) => {
        const base = c.service === "pe" ? system.peUrl : system.origination[0]!.url;
        const body = c.method === "GET" ? undefined : bodyText(c.body, i);
        let request: Request;
        try {
          request = new Request(`${base}${c.path}${c.query}`, { method: c.method, headers: c.headers, body });
        } catch {
          unsendable++; // not a request fetch can send (a header value it refuses): nothing reached the server
          return;
        }
        let outcome: Outcome;
        try {
          const r = await fetch(request, { signal: AbortSignal.timeout(10_000) });
          outcome = { status: r.status, text: await r.text(), pathname: new URL(request.url).pathname };
        } catch (err) {
          const e = err as Error & { cause?: unknown };
          failures.push(`no answer (${e.name}: ${e.message} ${String(e.cause ?? "")}) to ${describeCase(c, i, body)}`);
          return;
        }
        const key = `${c.service} ${outcome.status}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        const problem = judge(c, outcome);
        if (problem)
          failures.push(`${problem}\n  request: ${describeCase(c, i, body)}\n  answer: ${outcome.text.slice(0, 500)}`);
        if (outcome.status === 201 && c.service === "pe" && c.method === "POST") {
          const b = JSON.parse(outcome.text);
          // The router matches paths without regard to case or a trailing slash.
          const route = decoded(outcome.pathname).toLowerCase().replace(/\/$/, "");
          if (route === "/agreements") {
            created.agreements++;
            created.schedule += b.schedule.length;
            created.clients.add(b.clientId);
          } else if (route === "/products") created.products++;
        }
      };

      let next = 0;
      const started = Date.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < cases.length) {
            const i = next++;
            await run(cases[i]!, i);
          }
        }),
      );
      const elapsed = Date.now() - started;

      const sorted = [...statuses.entries()].sort(([a], [b]) => a.localeCompare(b));
      console.log(
        `fuzz: seed ${SEED}, ${cases.length} cases (${cases.length - unsendable} sent, ${unsendable} unsendable) in ${elapsed} ms; ` +
          `statuses: ${sorted.map(([k, n]) => `${k}: ${n}`).join(", ")}; ` +
          `created: ${created.agreements} agreements, ${created.products} products`,
      );
      expect(failures.slice(0, 5), `${failures.length} failures:\n${failures.slice(0, 5).join("\n\n")}`).toEqual([]);

      const report = await converged(system);
      expect(report.violations).toEqual([]);
      const peAfter = await peCounts();
      const originationAfter = await originationCounts();
      const delta = (a: Record<string, number>, b: Record<string, number>) =>
        Object.fromEntries(Object.keys(a).map((k) => [k, b[k]! - a[k]!]));
      const peDelta = delta(peBefore, peAfter);
      const originationDelta = delta(originationBefore, originationAfter);
      console.log(`fuzz: rows written: pe ${JSON.stringify(peDelta)}, origination ${JSON.stringify(originationDelta)}`);
      expect(peDelta).toEqual({
        agreements: created.agreements,
        clients: created.clients.size,
        schedule_payments: created.schedule,
        outbox: created.agreements,
        products: created.products,
      });
      // Origination learns of agreements only through PE's relay: one application, and one decision, each.
      expect(originationAfter.applications).toBe(peAfter.agreements);
      expect(originationDelta).toEqual({ applications: created.agreements, outbox: created.agreements });

      for (const base of [system.peUrl, system.origination[0]!.url])
        for (const path of ["/health", "/ready"])
          expect((await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
      expect((await system.check()).violations).toEqual([]);
    } finally {
      await pe.end();
      await origination.end();
    }
  }, 180_000);
});

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** What is wrong with one answer, or null. */
function judge(c: Case, o: Outcome): string | null {
  if (o.status >= 500 && o.status !== 503) return `answered ${o.status}`;
  // The router ignores case and decodes escapes, so /INTERNAL/… must be guarded as well as /internal/….
  if (decoded(o.pathname).toLowerCase().startsWith("/internal/") && ![401, 413, 415].includes(o.status))
    return `an unsigned call to ${o.pathname} answered ${o.status}, not 401`;
  if (o.status >= 400) {
    let body: { error?: { code?: unknown; message?: unknown; details?: unknown } };
    try {
      body = JSON.parse(o.text);
    } catch {
      return `error ${o.status} with a body that is not JSON`;
    }
    const e = body?.error;
    if (
      typeof e !== "object" ||
      e === null ||
      typeof e.code !== "string" ||
      typeof e.message !== "string" ||
      !Array.isArray(e.details)
    )
      return `error ${o.status} not in the shape { error: { code, message, details } }`;
  }
  if (c.method === "POST" && o.status === 201 && c.service === "origination")
    return "Origination created something from an unsigned public request";
  return null;
}
