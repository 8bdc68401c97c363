import fc from "fast-check";
import type { Operation, Parameter } from "./operations.ts";
import {
  boundaryValues,
  DELETE,
  fieldPaths,
  HOSTILE_SEGMENTS,
  HOSTILE_STRINGS,
  HOSTILE_VALUES,
  jsonText,
  schemaAt,
  validValue,
  withField,
} from "./values.ts";

/** What the fuzz knows that the documents cannot: ids that name rows, so valid paths reach the handlers. */
export interface Known {
  ids: string[];
  productCodes: string[];
}

export type Kind = "valid" | "field" | "body" | "path" | "query" | "header" | "transport";
/** Which credential a case carries: the operation's own, none, a wrong one, or the API key on an admin route. */
export type Auth = "right" | "none" | "wrong" | "apiKeyOnAdmin";

export interface Case {
  op: Operation;
  kind: Kind;
  /** The path as sent, escaped, with its query. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  auth: Auth;
}

// A lone surrogate cannot be escaped (URIError); the well-formed form sends U+FFFD in its place.
const encodeSegment = (v: unknown) => encodeURIComponent(String(v).toWellFormed());

/** A valid value of a parameter: a known id or product code where the name says so, else from its schema. */
function validParam(p: Parameter, known: Known): fc.Arbitrary<string> {
  if (p.schema?.format === "uuid") return fc.constantFrom(...known.ids);
  if (/code/i.test(p.name)) return fc.constantFrom(...known.productCodes);
  return fc.constant(String(p.example ?? validValue(p.schema, known.ids[0]!)));
}

/** A hostile or boundary value for a parameter, as it goes on the wire (escaped). */
function hostileParam(p: Parameter): fc.Arbitrary<string> {
  const values = [...boundaryValues(p.schema), ...HOSTILE_STRINGS].map((v) => encodeSegment(v).slice(0, 6_000));
  return p.in === "path" ? fc.constantFrom(...values, ...HOSTILE_SEGMENTS) : fc.constantFrom(...values, "%00", "%zz");
}

const QUERY_JUNK = fc.constantFrom(
  "__proto__=1",
  "limit=1&limit=2",
  "status[]=A",
  "%00=%00",
  "&&&",
  "=",
  "x".repeat(3_000),
);

function pathAndQuery(op: Operation, known: Known, kind: Kind): fc.Arbitrary<string> {
  const pathParams = op.params.filter((p) => p.in === "path");
  const queryParams = op.params.filter((p) => p.in === "query");
  const pick = (p: Parameter, hostile: boolean) =>
    hostile ? hostileParam(p) : validParam(p, known).map(encodeSegment);
  const path = fc
    .tuple(...pathParams.map((p) => pick(p, kind === "path")))
    .map((vs) => pathParams.reduce((t, p, i) => t.replace(`{${p.name}}`, vs[i]!), op.path));
  const query = fc
    .tuple(...queryParams.map((p) => fc.option(pick(p, kind === "query"), { freq: 2 })))
    .chain((vs) => {
      const pairs = queryParams.flatMap((p, i) => (vs[i] === null ? [] : [`${encodeSegment(p.name)}=${vs[i]}`]));
      return (kind === "query" ? fc.option(QUERY_JUNK, { freq: 3 }) : fc.constant(null)).map((j) =>
        j === null ? pairs : [...pairs, j],
      );
    })
    .map((pairs) => (pairs.length > 0 ? `?${pairs.join("&")}` : ""));
  return fc.tuple(path, query).map(([p, q]) => p + q);
}

/** A body: the documented example, or the example with one field made hostile, or something else entirely. */
function bodyFor(op: Operation, kind: Kind): fc.Arbitrary<string | undefined> {
  if (!op.body) return kind === "body" ? fc.constantFrom(undefined, "{}", '{"unexpected":1}') : fc.constant(undefined);
  const example = op.body.example;
  if (kind === "body")
    return fc.oneof(
      fc.constantFrom(...HOSTILE_VALUES).map(jsonText),
      fc.constantFrom("", "{", "[1,", "nul", '{"a":1}{', "\u0000", `[${"[".repeat(5_000)}`),
      fc.anything().map((v) => JSON.stringify(v) ?? "null"),
    );
  if (kind !== "field") return fc.constant(jsonText(example));
  const paths = fieldPaths(example);
  if (paths.length === 0) return fc.constantFrom(...HOSTILE_VALUES).map(jsonText);
  return fc.constantFrom(...paths).chain((path) => {
    const boundary = boundaryValues(schemaAt(op.body!.schema, path));
    const replacement = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
      { weight: boundary.length > 0 ? 3 : 0, arbitrary: fc.constantFrom(...(boundary.length ? boundary : [0])) },
      { weight: 1, arbitrary: fc.constant(DELETE) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    );
    return replacement.map((r) => jsonText(withField(example, path, r)));
  });
}

const CONTENT_TYPES = fc.constantFrom(
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=latin1",
  "APPLICATION/JSON",
  "application/",
  ";;;",
);

function headersFor(op: Operation, kind: Kind, i: number): fc.Arbitrary<Record<string, string>> {
  const named = op.params.filter((p) => p.in === "header");
  const valid = Object.fromEntries(named.map((p) => [p.name, `fz-${i}-${p.name}`]));
  const base = { "content-type": "application/json", ...valid };
  if (kind === "transport") return CONTENT_TYPES.map((ct) => ({ ...base, "content-type": ct }));
  if (kind !== "header" || named.length === 0) return fc.constant(base);
  // Latin-1 only: fetch refuses other header text, and node refuses a header line over 16 KiB before any app.
  const value = fc.oneof(
    fc.constantFrom("", " ", "x".repeat(1_000), "é", "1.2.3", "%00", "\t"),
    fc.string({ unit: "grapheme-ascii", maxLength: 300 }),
  );
  return fc
    .tuple(fc.constantFrom(...named), fc.option(value, { freq: 4 }))
    .map(([p, v]) => (v === null ? omit(base, p.name) : { ...base, [p.name]: v }));
}

const omit = (o: Record<string, string>, key: string) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

const KINDS: Kind[] = ["valid", "field", "body", "path", "query", "header", "transport"];

/** How often each kind is drawn for an operation; zero where the operation has nothing of that kind. */
function weights(op: Operation): Record<Kind, number> {
  const has = (where: Parameter["in"]) => op.params.some((p) => p.in === where);
  return {
    valid: 1,
    field: op.body ? 8 : 0,
    body: op.method === "GET" ? 0 : 2,
    path: has("path") ? 4 : 0,
    query: has("query") ? 3 : 0,
    header: has("header") ? 1 : 0,
    transport: op.method === "GET" ? 0 : 1,
  };
}

/** The cases of one operation: mostly hostile, some valid; a few with a missing or wrong credential. */
export function casesFor(op: Operation, known: Known, n: number, seed: number): Case[] {
  const w = weights(op);
  const kind = fc.oneof(...KINDS.filter((k) => w[k] > 0).map((k) => ({ weight: w[k], arbitrary: fc.constant(k) })));
  const auth = fc.oneof(
    { weight: 20, arbitrary: fc.constant<Auth>("right") },
    { weight: op.security === "none" ? 0 : 1, arbitrary: fc.constantFrom<Auth>("none", "wrong") },
    { weight: op.security === "admin" ? 1 : 0, arbitrary: fc.constant<Auth>("apiKeyOnAdmin") },
  );
  const one = fc.tuple(kind, auth, fc.nat()).chain(([k, a, i]) =>
    fc.record({
      op: fc.constant(op),
      kind: fc.constant(k),
      url: pathAndQuery(op, known, k),
      headers: headersFor(op, k, i),
      body: bodyFor(op, k),
      auth: fc.constant(a),
    }),
  );
  return fc.sample(one, { numRuns: n, seed }) as Case[];
}
