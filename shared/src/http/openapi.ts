import { z } from "zod";

export interface RouteDoc {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI form: /agreements/{id} */
  path: string;
  summary: string;
  tags?: string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, { description: string; body?: z.ZodType; headers?: Record<string, string> }>;
  security?: "apiKey" | "admin" | "service" | "none";
}

const jsonSchema = (s: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(s, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;

function parameters(where: "path" | "query" | "header", obj: z.ZodObject | undefined) {
  if (!obj) return [];
  const shape = jsonSchema(obj, "input") as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(shape.properties ?? {}).map(([name, schema]) => ({
    name,
    in: where,
    required: where === "path" || (shape.required ?? []).includes(name),
    schema,
  }));
}

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string().optional(), message: z.string() }).loose()),
  }),
});

/** An OpenAPI 3.1 document built from the same zod schemas that validate the requests. */
export function openApiDocument(info: { title: string; version: string; description?: string }, routes: RouteDoc[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, res] of Object.entries(r.responses)) {
      const body = res.body ?? (Number(status) >= 400 ? errorBody : undefined);
      responses[status] = {
        description: res.description,
        ...(res.headers && {
          headers: Object.fromEntries(
            Object.entries(res.headers).map(([h, d]) => [h, { description: d, schema: { type: "string" } }]),
          ),
        }),
        ...(body && { content: { "application/json": { schema: jsonSchema(body, "output") } } }),
      };
    }
    const security = r.security ?? "apiKey";
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      summary: r.summary,
      ...(r.tags && { tags: r.tags }),
      parameters: [
        ...parameters("path", r.params),
        ...parameters("query", r.query),
        ...parameters("header", r.headers),
      ],
      ...(r.body && {
        requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body, "input") } } },
      }),
      responses,
      security: security === "none" ? [] : [{ [security]: [] }],
    };
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "one of API_KEYS (not needed while API_KEYS is unset)" },
        admin: { type: "http", scheme: "bearer", description: "ADMIN_TOKEN" },
        service: {
          type: "apiKey",
          in: "header",
          name: "X-Signature",
          description: "HMAC-SHA256 of '<t>.<body>' with SERVICE_SECRET",
        },
      },
    },
  };
}
