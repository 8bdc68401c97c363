// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the snippets are source text that must hold a literal ${
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * SQL is built only from parameterised queries: kysely's builder, kysely's sql`` template (its ${} are
 * bound parameters) or pg's `query(text, values)`. Anything that splices text into SQL must say why
 * it is safe with `// sql-safe: <reason>` on its line or the line above.
 */
const ROOT = join(import.meta.dirname, "..", "..");
const DIRS = ["db/src", "shared/src", "pe/src", "origination/src"];

export interface Finding {
  line: number;
  rule: string;
  text: string;
}

const SPLICERS = /\b(sql\.raw|sql\.lit|CompiledQuery\.raw)\s*\(/;
const KEYWORD = /\b(select|insert\s+into|update|delete\s+from|where|values)\b/i;
const STRING = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g;

/** A string literal holding SQL with a `+` on either side of it: "select … " + x, or x + " where …". */
function concatenatesSql(line: string): boolean {
  for (const m of line.matchAll(STRING)) {
    if (!KEYWORD.test(m[0])) continue;
    const start = m.index ?? 0;
    if (/^\s*\+/.test(line.slice(start + m[0].length)) || /\+\s*$/.test(line.slice(0, start))) return true;
  }
  return false;
}
const QUERY_TEMPLATE = /\.query\s*(<[^>(]*>)?\s*\(\s*`/g;
const EXEMPT = /\/\/\s*sql-safe:\s*\S/;
const isComment = (line: string) => /^\s*(\/\/|\/?\*)/.test(line);

/** The text of the template literal that starts at `open` (a backtick), with `${…}` spans kept. */
function templateAt(source: string, open: number): string {
  let depth = 0;
  for (let i = open + 1; i < source.length; i++) {
    const ch = source[i];
    if (depth === 0 && ch === "\\") i++;
    else if (depth === 0 && ch === "`") return source.slice(open, i + 1);
    else if (ch === "$" && source[i + 1] === "{" && depth === 0) {
      depth = 1;
      i++;
    } else if (depth > 0 && ch === "{") depth++;
    else if (depth > 0 && ch === "}") depth--;
  }
  return source.slice(open);
}

/** Every unsafe SQL construction in one file's source, by line (1-based). */
export function checkSqlSafety(source: string): Finding[] {
  const lines = source.split("\n");
  const exempt = (n: number) => EXEMPT.test(lines[n - 1] ?? "") || EXEMPT.test(lines[n - 2] ?? "");
  const found: Finding[] = [];
  lines.forEach((text, i) => {
    if (isComment(text) || exempt(i + 1)) return;
    const splicer = SPLICERS.exec(text);
    if (splicer) found.push({ line: i + 1, rule: `${splicer[1]}( without // sql-safe`, text: text.trim() });
    if (concatenatesSql(text))
      found.push({ line: i + 1, rule: "SQL built by string concatenation", text: text.trim() });
  });
  for (const m of source.matchAll(QUERY_TEMPLATE)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    const line = source.slice(0, m.index).split("\n").length;
    if (templateAt(source, open).includes("${") && !exempt(line))
      found.push({ line, rule: "query(`…${…}…`) on a raw client", text: lines[line - 1]!.trim() });
  }
  return found.sort((a, b) => a.line - b.line);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

describe("SQL safety", () => {
  it("finds no SQL spliced from strings in the sources", () => {
    const files = DIRS.flatMap((d) => tsFiles(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(20);
    const problems = files.flatMap((f) =>
      checkSqlSafety(readFileSync(f, "utf8")).map((p) => `${relative(ROOT, f)}:${p.line}: ${p.rule}: ${p.text}`),
    );
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("flags exactly the unsafe snippets (the rule can fail)", () => {
    const cases: Array<[string, boolean]> = [
      // unsafe
      ["const q = sql.raw(`select * from t where id = ${id}`);", true],
      ["db.selectFrom('t').where(sql.lit(name), '=', 1)", true],
      ["await trx.executeQuery(CompiledQuery.raw(text, []));", true],
      ["await client.query(`select * from agreements where id = '${id}'`);", true],
      ["await client.query<Row>(`\n  select *\n  from t where id = ${id}`);", true],
      ['const q = "select * from clients where passport = \'" + passport + "\'";', true],
      ["const text = 'delete from outbox where topic = ' +\n  topic;", true],
      ['const q = base + " where id = " + id;', true],
      // safe
      [
        "// sql-safe: pg-boss's own SQL with its bound values\nawait trx.executeQuery(CompiledQuery.raw(text, values));",
        false,
      ],
      ["const f = sql.lit(FORMAT); // sql-safe: a constant of this module", false],
      ["await sql`select * from t where id = ${id}`.execute(db);", false],
      ["await client.query('select * from t where id = $1', [id]);", false],
      ["await client.query(`select count(*) from outbox`);", false],
      ["const total = a + b; // update the count", false],
      ["const msg = `request body nests deeper than ${n} levels`;", false],
      ["// we never call sql.raw( here", false],
    ];
    for (const [snippet, bad] of cases)
      expect(checkSqlSafety(snippet).length > 0, `${bad ? "should flag" : "should pass"}:\n${snippet}`).toBe(bad);
  });
});
