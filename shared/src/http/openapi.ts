import { z } from "zod";
import type { Access } from "../operators/access.ts";
import { Components, parameters } from "./openapi-schemas.ts";

/** One error an operation may answer with: its code and an example of the message. */
export interface ErrorExample {
  code: string;
  message: string;
  details?: Array<Record<string, unknown>>;
}

export interface ResponseDoc {
  description: string;
  body?: z.ZodType;
  /** An example of the body; for an error status, give `errors` instead. */
  example?: unknown;
  /** For an error status: every error code it answers with, each with an example. */
  errors?: ErrorExample[];
  /** Response headers (besides X-Request-Id, which every response has): name → description. */
  headers?: Record<string, string>;
  /** A `text/html` answer instead of JSON: an example of the page. */
  html?: string;
}

export interface RouteDoc {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI form: /agreements/{id} */
  path: string;
  /** Unique in the service, camelCase: the method name a generated client gets. */
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** An example of the request body; required with `body`. */
  bodyExample?: unknown;
  /**
   * The operation's own answers. The builder adds the ones every operation of its kind has: 401 for a
   * secured one, 400 for one with inputs, 413 and 415 for a POST, 503 when it reads the database.
   */
  responses: Record<number, ResponseDoc>;
  /**
   * Who may call it (operators/access.ts): the operator role it needs, and whether a client API key is
   * also accepted; or a peer's signature (`"service"`); or no one in particular (`"open"`). The access
   * guard enforces it, the document shows it (`x-role`, the security requirement, 401 and 403).
   */
  access: Access;
  /** Whether the operation reads the database (and so may answer 503 DATABASE_UNAVAILABLE); true unless said. */
  database?: boolean;
}

export interface DocumentInfo {
  title: string;
  version: string;
  description?: string;
  /** Where the service listens by default: `http://127.0.0.1:3001`. */
  server: string;
}

const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe("a stable code: VALIDATION_FAILED, NOT_FOUND, …"),
      message: z.string().describe("for people; may change"),
      details: z
        .array(
          z
            .object({
              path: z.string().optional().describe("the field, header or parameter at fault"),
              message: z.string(),
            })
            .loose(),
        )
        .describe("every problem found, one per field"),
    }),
  })
  .meta({ id: "Error" });

const STATUS_TEXT: Record<number, string> = {
  400: "the request is malformed or invalid; every problem is listed in `details`",
  401: "credentials missing or wrong; nothing is done",
  403: "the operator's role does not allow this; `details` names the role needed; nothing is done",
  404: "no such resource",
  409: "conflicts with the resource's current state",
  413: "the body is too large",
  415: "the body is not application/json",
  422: "well-formed, but breaks a business rule",
  503: "the database is unavailable; try again after `Retry-After` seconds",
};

const standard = {
  validation: (where: "query" | "request"): ErrorExample => ({
    code: "VALIDATION_FAILED",
    message: `${where} is invalid: 1 problem(s)`,
    details: [
      where === "query"
        ? { path: "limit", message: "must be a whole number from 1 to 100" }
        : { path: "termMonths", message: "must be from 1 to 600" },
    ],
  }),
  malformed: {
    code: "MALFORMED_JSON",
    message: "request body is not valid JSON",
    details: [{ message: "Expected property name or '}' in JSON at position 1 (line 1 column 2)" }],
  },
  tooLarge: { code: "PAYLOAD_TOO_LARGE", message: "request body is larger than 65536 bytes" },
  mediaType: { code: "UNSUPPORTED_MEDIA_TYPE", message: "request body must be application/json" },
  unavailable: { code: "DATABASE_UNAVAILABLE", message: "the database is unavailable; try again shortly" },
  service: { code: "UNAUTHORIZED", message: "service request refused: wrong signature" },
} satisfies Record<string, ErrorExample | ((w: "query" | "request") => ErrorExample)>;

/** The 401 and 403 an operation has because of its access. */
function accessErrors(access: Access): Record<number, { error: ErrorExample; header?: string }> {
  if (access === "open") return {};
  if (access === "service")
    return {
      401: {
        error: standard.service,
        header: 'the scheme to use: `Signature realm="internal", headers="X-Signature"`',
      },
    };
  const wanted = access.apiKey
    ? `an API key or an operator token with role ${access.role}`
    : `an operator token with role ${access.role}`;
  const realm = access.apiKey ? "api" : "admin";
  return {
    401: {
      error: { code: "UNAUTHORIZED", message: `this endpoint needs ${wanted}: Authorization: Bearer <token>` },
      header: `the scheme to use: \`Bearer realm="${realm}"\``,
    },
    403: {
      error: {
        code: "FORBIDDEN",
        message: `this endpoint needs role ${access.role}; you are viewer`,
        details: [{ path: "authorization", message: `needs role ${access.role}`, required: access.role }],
      },
    },
  };
}

/** The security schemes that open an operation: none, a peer's signature, an operator token or an API key. */
function securityOf(access: Access): string[] {
  if (access === "open") return [];
  if (access === "service") return ["service"];
  return access.apiKey ? ["apiKey", "operator"] : ["operator"];
}

/** The answers an operation has because of its kind, merged under the ones it lists itself. */
function withStandardResponses(r: RouteDoc): Record<number, ResponseDoc> {
  const out: Record<number, ResponseDoc> = {};
  const add = (status: number, errors: ErrorExample[], headers?: Record<string, string>) => {
    const prior = out[status];
    out[status] = {
      description: prior?.description ?? STATUS_TEXT[status] ?? "error",
      errors: [...(prior?.errors ?? []), ...errors],
      headers: { ...prior?.headers, ...headers },
    };
  };
  // A bad path id is a 404 (it names nothing), so path parameters add no 400 of their own.
  if (r.query) add(400, [standard.validation("query")]);
  if (r.body || r.headers) add(400, [standard.validation("request")]);
  if (r.method !== "get") {
    add(400, [standard.malformed]);
    add(413, [standard.tooLarge]);
    add(415, [standard.mediaType]);
  }
  // A role that every operator has cannot be refused: a viewer endpoint has no 403.
  const canRefuse = typeof r.access === "object" && r.access.role !== "viewer";
  for (const [status, e] of Object.entries(accessErrors(r.access))) {
    if (status === "403" && !canRefuse) continue;
    add(Number(status), [e.error], e.header ? { "WWW-Authenticate": e.header } : undefined);
  }
  if (r.database !== false) add(503, [standard.unavailable], { "Retry-After": "seconds to wait before trying again" });
  for (const [status, res] of Object.entries(r.responses)) {
    const s = Number(status);
    const prior = out[s];
    out[s] = {
      ...res,
      ...(prior && {
        errors: [...(prior.errors ?? []), ...(res.errors ?? [])].filter(
          (e, i, all) => all.findIndex((x) => x.code === e.code) === i,
        ),
        headers: { ...prior.headers, ...res.headers },
      }),
    };
  }
  return out;
}

function responseHeaders(res: ResponseDoc): Record<string, unknown> {
  const headers: Record<string, unknown> = { "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" } };
  for (const [h, d] of Object.entries(res.headers ?? {})) headers[h] = { description: d, schema: { type: "string" } };
  if (headers["Retry-After"]) headers["Retry-After"] = { $ref: "#/components/headers/Retry-After" };
  return headers;
}

/** An error status's body: the one error schema, with an example per code it answers with. */
function errorContent(r: RouteDoc, status: string, res: ResponseDoc, errorRef: unknown) {
  const errors = res.errors ?? [];
  if (errors.length === 0) throw new Error(`${r.operationId}: ${status} lists no error code`);
  return {
    "application/json": {
      schema: errorRef,
      examples: Object.fromEntries(
        errors.map((e) => [
          e.code,
          { summary: e.code, value: { error: { code: e.code, message: e.message, details: e.details ?? [] } } },
        ]),
      ),
    },
  };
}

function operationResponses(r: RouteDoc, components: Components, errorRef: unknown): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, res] of Object.entries(withStandardResponses(r))) {
    const headers = responseHeaders(res);
    let content: Record<string, unknown> | undefined;
    if (Number(status) >= 400) content = errorContent(r, status, res, errorRef);
    else if (res.html !== undefined) content = { "text/html": { schema: { type: "string" }, example: res.html } };
    else if (res.body) {
      if (res.example === undefined) throw new Error(`${r.operationId}: ${status} needs an example`);
      content = { "application/json": { schema: components.schema(res.body, "output"), example: res.example } };
    }
    responses[status] = { description: res.description, headers, ...(content && { content }) };
  }
  return responses;
}

function operation(r: RouteDoc, components: Components, errorRef: unknown) {
  // The responses first: the order schemas are met in is the order of components.schemas.
  const responses = operationResponses(r, components, errorRef);
  return {
    operationId: r.operationId,
    summary: r.summary,
    ...(r.description && { description: r.description }),
    ...(r.tags && { tags: r.tags }),
    parameters: [
      ...parameters(components, "path", r.params),
      ...parameters(components, "query", r.query),
      ...parameters(components, "header", r.headers),
      { $ref: "#/components/parameters/X-Request-Id" },
    ],
    ...(r.body && {
      requestBody: {
        required: true,
        content: {
          "application/json": { schema: components.schema(r.body, "input"), example: r.bodyExample },
        },
      },
    }),
    responses,
    ...(typeof r.access === "object" && { "x-role": r.access.role }),
    security: securityOf(r.access).map((scheme) => ({ [scheme]: [] })),
  };
}

/**
 * An OpenAPI 3.1 document built from the same zod schemas that validate the requests: schemas named with
 * `.meta({ id })` are shared under `components.schemas`; every operation lists every answer it can give,
 * with examples, and the headers each carries.
 */
export function openApiDocument(info: DocumentInfo, routes: RouteDoc[]) {
  const components = new Components();
  const errorRef = components.schema(errorSchema, "output");
  const usedSecurity = new Set<string>();
  const paths: Record<string, Record<string, unknown>> = {};
  const ids = new Set<string>();
  for (const r of routes) {
    if (ids.has(r.operationId)) throw new Error(`operationId ${r.operationId} is used twice`);
    ids.add(r.operationId);
    if (r.body && r.bodyExample === undefined) throw new Error(`${r.operationId}: a request body needs an example`);
    for (const scheme of securityOf(r.access)) usedSecurity.add(scheme);
    paths[r.path] ??= {};
    paths[r.path]![r.method] = operation(r, components, errorRef);
  }
  const tags = [...new Set(routes.flatMap((r) => r.tags ?? []))].map((name) => ({
    name,
    description: TAG_TEXT[name] ?? name,
  }));
  return {
    openapi: "3.1.0",
    info: {
      title: info.title,
      version: info.version,
      ...(info.description && { description: info.description }),
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    // The relative one first, so that Swagger UI's "Try it out" calls the service that served the page.
    servers: [
      { url: "/", description: "the service serving this document" },
      { url: info.server, description: "the default address under `pnpm start`" },
    ],
    tags,
    paths,
    components: {
      schemas: components.schemas,
      parameters: { "X-Request-Id": requestIdParameter() },
      headers: requestIdAndRetryHeaders(),
      securitySchemes: Object.fromEntries(Object.entries(SECURITY).filter(([k]) => usedSecurity.has(k))),
    },
  };
}

const requestIdParameter = () => ({
  name: "X-Request-Id",
  in: "header",
  required: false,
  description:
    "your id for this request: 1–128 of `A-Z a-z 0-9 . _ : -`; kept when plain, else a new UUID is made. " +
    "It comes back in the answer's X-Request-Id and is on every log line about the request",
  schema: { type: "string", maxLength: 128, pattern: "^[A-Za-z0-9._:-]{1,128}$" },
  example: "demo-1",
});

const requestIdAndRetryHeaders = () => ({
  "X-Request-Id": {
    description: "the request's id: the caller's X-Request-Id when plain, else a new UUID",
    schema: { type: "string" },
    example: "demo-1",
  },
  "Retry-After": {
    description: "seconds to wait before sending the request again",
    schema: { type: "integer", minimum: 0 },
    example: 1,
  },
});

const TAG_TEXT: Record<string, string> = {
  products: "Loan products and their bounds",
  agreements: "Loan agreements: applying, reading, withdrawing",
  clients: "Clients, found or created by passport when they apply",
  applications: "Applications and the decisions on them",
  internal: "Service-to-service batches from a peer's outbox, signed with SERVICE_SECRET",
};

const SECURITY: Record<string, unknown> = {
  apiKey: { type: "http", scheme: "bearer", description: "one of API_KEYS (not needed while API_KEYS is unset)" },
  operator: {
    type: "http",
    scheme: "bearer",
    description:
      "an operator token (`op_…`, from `POST /admin/operators` or `pnpm operators add`) whose role allows the " +
      "operation (its `x-role`; admin allows all, every role allows viewer), or ADMIN_TOKEN; not needed while " +
      "ADMIN_TOKEN is unset (development)",
  },
  service: {
    type: "apiKey",
    in: "header",
    name: "X-Signature",
    description:
      "`t=<unix seconds>,v1=<hex>`: HMAC-SHA256 with SERVICE_SECRET of `<t>.<METHOD>.<path>.<raw body>`; " +
      "one v1 per accepted secret may be sent while a secret is rotated",
  },
};
