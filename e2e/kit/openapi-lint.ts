import { createConfig, lintFromString, type NormalizedProblem } from "@redocly/openapi-core";

export interface LintProblem {
  severity: "error" | "warn";
  rule: string;
  message: string;
  where: string;
}

/** Redocly's `recommended` ruleset over one OpenAPI document; every problem, with where it is. */
export async function lintOpenApi(document: unknown): Promise<LintProblem[]> {
  const config = await createConfig({ extends: ["recommended"] });
  const problems: NormalizedProblem[] = await lintFromString({
    source: JSON.stringify(document, null, 2),
    absoluteRef: "openapi.json",
    config,
  });
  return problems
    .filter((p) => p.severity === "error" || p.severity === "warn")
    .map((p) => ({
      severity: p.severity as "error" | "warn",
      rule: p.ruleId,
      message: p.message,
      where: p.location.map((l) => l.pointer).join(", "),
    }));
}
