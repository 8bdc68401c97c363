import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, SERVICES, workspaceServices } from "../kit/in-process.ts";
import { lintOpenApi } from "../kit/openapi-lint.ts";

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document read back as JSON
type Json = any;

const running = new Map<string, RunningService>();
const documents = new Map<string, Json>();
beforeAll(async () => {
  for (const s of SERVICES) {
    const service = await s.start();
    running.set(s.name, service);
    documents.set(s.name, await (await fetch(`${service.url}/openapi.json`)).json());
  }
});
afterAll(async () => {
  for (const s of running.values()) await s.stop();
});

it("covers every service of the workspace", () => {
  expect(SERVICES.map((s) => s.name).sort()).toEqual(workspaceServices());
});

it("the linter catches an example that does not fit its schema", async () => {
  const problems = await lintOpenApi({
    openapi: "3.1.0",
    info: { title: "t", version: "1", license: { name: "x", identifier: "MIT" } },
    servers: [{ url: "http://127.0.0.1:1" }],
    paths: {
      "/x": {
        get: {
          operationId: "x",
          summary: "x",
          security: [],
          responses: {
            200: {
              description: "ok",
              content: { "application/json": { schema: { type: "integer" }, example: "not a number" } },
            },
            400: { description: "bad" },
          },
        },
      },
    },
  });
  expect(problems.map((p) => p.rule)).toContain("no-invalid-media-type-examples");
});

type Operation = { path: string; method: string; op: Json };
const operations = (doc: Json): Operation[] =>
  Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );

describe.each(SERVICES.map((s) => s.name))("%s's /openapi.json", (name) => {
  it("passes Redocly's recommended ruleset with no error and no warning", async () => {
    const problems = await lintOpenApi(documents.get(name));
    expect(problems.map((p) => `${p.severity} ${p.rule} at ${p.where}: ${p.message}`)).toEqual([]);
  });

  it("lists servers, and shares the error schema under components", () => {
    const doc = documents.get(name);
    expect(doc.servers.length).toBeGreaterThan(0);
    expect(doc.components.schemas.Error).toBeDefined();
  });

  it("gives every operation an id, examples, its errors and their headers", () => {
    const doc = documents.get(name);
    for (const { path, method, op } of operations(doc)) {
      const at = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, at).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.parameters, at).toContainEqual({ $ref: "#/components/parameters/X-Request-Id" });
      if (op.requestBody) expect(op.requestBody.content["application/json"].example, at).toBeDefined();
      for (const [status, res] of Object.entries(op.responses as Record<string, Json>)) {
        expect(res.headers?.["X-Request-Id"], `${at} ${status}`).toBeDefined();
        const media = res.content?.["application/json"];
        if (Number(status) >= 400) {
          expect(media.schema, `${at} ${status}`).toEqual({ $ref: "#/components/schemas/Error" });
          expect(Object.keys(media.examples).length, `${at} ${status}`).toBeGreaterThan(0);
        } else if (media) {
          expect(media.example, `${at} ${status}`).toBeDefined();
        }
      }
      if (op.responses["201"]) expect(op.responses["201"].headers.Location, at).toBeDefined();
      if (method !== "get") expect(Object.keys(op.responses), at).toEqual(expect.arrayContaining(["413", "415"]));
      if (op.security.length > 0) expect(op.responses["401"].headers["WWW-Authenticate"], at).toBeDefined();
      // Every operation here reads the database.
      expect(op.responses["503"].headers["Retry-After"], at).toBeDefined();
      expect(Object.keys(op.responses["503"].content["application/json"].examples), at).toEqual([
        "DATABASE_UNAVAILABLE",
      ]);
    }
  });
});

describe("PE's POST /agreements", () => {
  it("documents Idempotency-Key, the replay and the key's errors", () => {
    const doc = documents.get("pe");
    const op = doc.paths["/agreements"].post;
    expect(op.parameters).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", in: "header" }));
    expect(op.responses["201"].headers["Idempotent-Replayed"]).toBeDefined();
    expect(op.responses["200"]).toBeUndefined();
    expect(Object.keys(op.responses["409"].content["application/json"].examples)).toContain("IDEMPOTENCY_KEY_IN_USE");
    expect(Object.keys(op.responses["422"].content["application/json"].examples)).toContain("IDEMPOTENCY_KEY_REUSED");
    const limit = doc.paths["/agreements"].get.parameters.find((p: Json) => p.name === "limit");
    expect(limit.schema.type).toBe("integer");
  });
});
