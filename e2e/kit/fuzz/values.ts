import type { Schema } from "./operations.ts";

/** JSON text spliced in as is: numbers JSON.stringify cannot write (1e309, -0, 30 digits) and odd objects. */
export class Raw {
  constructor(readonly text: string) {}
}

/** JSON text of a value that may hold Raw pieces. */
export function jsonText(value: unknown): string {
  const raws: string[] = [];
  const text =
    JSON.stringify(value, (_k, v) => {
      if (v instanceof Raw) return `__raw_${raws.push(v.text) - 1}__`;
      return v;
    }) ?? "null";
  return text.replace(/"__raw_(\d+)__"/g, (_m, i) => raws[Number(i)]!);
}

export const EXAMPLE_UUID = "94937b77-88cb-431a-9c64-ae4a7400b2b5";

/** Strings no field should choke on: the reported three ("1.2.3", NUL, a uuid) among them. */
export const HOSTILE_STRINGS = [
  "\u0000",
  "a\u0000b",
  "1.2.3",
  EXAMPLE_UUID,
  "",
  " ",
  "x".repeat(10_000),
  "٣٠٠٠٠٠",
  "三十万",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀",
  "Ω≈ç√∫",
  "\ud800",
  "\u202eevil",
  "-1",
  "0",
  "-0.01",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "0x10",
  "1_000",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "' or 1=1 --",
  "%00",
  "2025-02-30",
  "9999-12-31",
  "0000-01-01",
  "00000000-0000-0000-0000-000000000000",
  "null",
  "9".repeat(400),
];

export const HOSTILE_VALUES: unknown[] = [
  ...HOSTILE_STRINGS,
  new Raw("1e309"),
  new Raw("-1e309"),
  new Raw("1e-400"),
  new Raw("123456789012345678901234567890"),
  new Raw("-0"),
  new Raw("9007199254740993"),
  new Raw('{"__proto__":{"polluted":1}}'),
  -1,
  0,
  1.5,
  1e21,
  Number.MAX_SAFE_INTEGER,
  true,
  false,
  null,
  [],
  {},
  [1, "a"],
  { a: 1 },
  [[[[[[["deep"]]]]]]],
];

/** Path segments as sent (already escaped where they are escapes). */
export const HOSTILE_SEGMENTS = [
  "%00",
  "a%00b",
  "..",
  "%2e%2e",
  "%2F",
  "%2f..%2f",
  "%zz",
  "%",
  "%c3%28",
  "%ff",
  "%u0041",
  encodeURIComponent("中文"),
  encodeURIComponent("𝔘😀"),
  "x".repeat(5_000),
  "1.2.3",
  "not-a-uuid",
  "-1",
  "0",
  "null",
  "%20",
  "+",
  "9".repeat(400),
  encodeURIComponent("' or 1=1 --"),
  "00000000-0000-0000-0000-000000000000",
  `${EXAMPLE_UUID}x`,
  EXAMPLE_UUID.replace(/-/g, ""),
];

const types = (s: Schema): string[] => (Array.isArray(s?.type) ? s.type : s?.type ? [s.type] : []);

/** Values at and just past a schema's documented bounds, and of the wrong type. */
export function boundaryValues(s: Schema): unknown[] {
  const out: unknown[] = [];
  const t = types(s);
  if (Array.isArray(s?.enum)) out.push(...s.enum, ...s.enum.map((e: unknown) => String(e).toLowerCase()), "UNKNOWN");
  if (s?.const !== undefined) out.push(`${s.const}x`);
  if (t.includes("string")) {
    if (typeof s.minLength === "number") out.push("a".repeat(Math.max(0, s.minLength - 1)), "a".repeat(s.minLength));
    if (typeof s.maxLength === "number") out.push("a".repeat(s.maxLength), "a".repeat(s.maxLength + 1));
    if (s.format === "uuid") out.push(EXAMPLE_UUID.toUpperCase(), EXAMPLE_UUID.slice(1), `{${EXAMPLE_UUID}}`);
    if (s.format === "date") out.push("2024-02-29", "2023-02-29", "1899-12-31", "0001-01-01", "2025-1-1", "20250101");
    if (s.format === "date-time") out.push("2025-01-01T00:00:00Z", "2025-13-01T00:00:00Z", "2025-01-01T00:00:00");
    out.push(42, true);
  }
  if (t.includes("number") || t.includes("integer")) {
    for (const k of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"])
      if (typeof s[k] === "number") out.push(s[k], s[k] - 1, s[k] + 1, s[k] + 0.5);
    out.push(0, -1, 0.1, 1e-7, 2 ** 31, 2 ** 53 + 2, "1");
  }
  // Money and rates: a string or a number.
  if (t.includes("string") && t.includes("number"))
    out.push("0.00", "0.01", "-0.01", "100000000.00", "100000000.01", "1000000000.01", 0.1, 1e-7, "1e3", "1,5");
  if (t.includes("array"))
    out.push(
      [],
      {},
      "[]",
      Array.from({ length: (s.maxItems ?? 100) + 1 }, () => ({})),
    );
  if (t.includes("object")) out.push([], "{}", { unknownField: 1 });
  if (t.includes("boolean")) out.push("true", 1, 0, null);
  if (t.includes("integer")) out.push(1.5, "7");
  return out;
}

/** A valid value for a schema with no example of its own. */
export function validValue(s: Schema, knownId: string): unknown {
  if (s === undefined || s === null) return null;
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.anyOf)) return validValue(s.anyOf[0], knownId);
  const t = types(s)[0];
  if (t === "string") {
    if (s.format === "uuid") return knownId;
    if (s.format === "date") return "2025-03-17";
    if (s.format === "date-time") return new Date().toISOString();
    return "a".repeat(Math.max(1, s.minLength ?? 1));
  }
  if (t === "integer" || t === "number") return s.minimum ?? 1;
  if (t === "boolean") return false;
  if (t === "array") return [];
  if (t === "object") {
    const props = (s.properties ?? {}) as Record<string, Schema>;
    return Object.fromEntries((s.required ?? []).map((k: string) => [k, validValue(props[k], knownId)]));
  }
  return null;
}

/** The schema at a dotted path of a body ("client.birthDate", "messages.0.payload"). */
export function schemaAt(s: Schema, path: string[]): Schema {
  let cur = s;
  for (const key of path) {
    if (cur?.anyOf) cur = cur.anyOf.find((x: Schema) => x?.properties || x?.items) ?? cur.anyOf[0];
    cur = /^\d+$/.test(key) ? cur?.items : cur?.properties?.[key];
  }
  return cur;
}

/** Every field path of a value (objects' keys, arrays' first item), deepest last. */
export function fieldPaths(value: unknown, prefix: string[] = [], depth = 0): string[][] {
  if (value === null || typeof value !== "object" || depth > 6) return [];
  const entries = Array.isArray(value) ? (value.length > 0 ? [["0", value[0]] as const] : []) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, [...prefix, k], depth + 1)]);
}

/** A deep copy of `value` with the field at `path` replaced, or deleted when `replacement` is DELETE. */
export const DELETE = Symbol("delete");
export function withField(value: unknown, path: string[], replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let cur: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (next === null || typeof next !== "object") return copy;
    cur = next as Record<string, unknown>;
  }
  const last = path.at(-1)!;
  if (replacement === DELETE) delete cur[last];
  else cur[last] = replacement;
  return copy;
}
