/**
 * The operations of a service as its GET /openapi.json documents them, with every `$ref` resolved: what
 * the generated fuzz builds its requests from, so a route added later is fuzzed without a line here.
 */

// biome-ignore lint/suspicious/noExplicitAny: a JSON Schema read back from a document
export type Schema = any;

export type Security = "apiKey" | "admin" | "service" | "none";

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: Schema;
  example?: unknown;
}

export interface Operation {
  service: string;
  method: string;
  /** The path template: /agreements/{id}. */
  path: string;
  operationId: string;
  params: Parameter[];
  body?: { schema: Schema; example: unknown };
  security: Security;
}

export type Doc = {
  paths: Record<string, Record<string, Schema>>;
  components?: Record<string, Record<string, Schema>>;
};

/** `#/components/schemas/X` → the schema; nested refs are resolved as they are walked (cycles stop at depth 12). */
export function resolver(doc: Doc) {
  const follow = (ref: string): Schema => {
    const [, , kind, name] = ref.split("/");
    return doc.components?.[kind!]?.[name!];
  };
  const resolve = (s: Schema, depth = 0): Schema => {
    if (s === null || typeof s !== "object" || depth > 12) return s;
    if (Array.isArray(s)) return s.map((x) => resolve(x, depth + 1));
    if (typeof s.$ref === "string") return resolve(follow(s.$ref), depth + 1);
    return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, resolve(v, depth + 1)]));
  };
  return resolve;
}

function securityOf(op: Schema): Security {
  const first = (op.security as Array<Record<string, unknown>> | undefined)?.[0];
  if (!first) return "none";
  const scheme = Object.keys(first)[0];
  // An operator-only operation: the fuzz calls it as the bootstrap admin (ADMIN_TOKEN), whom every role allows.
  return (scheme === "operator" ? "admin" : scheme) as Security;
}

export function operations(service: string, doc: Doc): Operation[] {
  const resolve = resolver(doc);
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, raw]): Operation => {
      const op = resolve(raw);
      const params = ((op.parameters ?? []) as Schema[])
        .filter((p) => p.name !== "X-Request-Id")
        .map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required === true,
          schema: p.schema ?? {},
          example: p.example,
        }));
      const json = op.requestBody?.content?.["application/json"];
      return {
        service,
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        params,
        ...(json && { body: { schema: json.schema ?? {}, example: json.example } }),
        security: securityOf(op),
      };
    }),
  );
}
