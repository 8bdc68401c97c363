import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { paths as PePaths } from "@loans/contracts/generated/pe";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { application } from "../../pe/test/helpers.ts";
import { ROOT, type RunningService, SERVICES } from "../kit/in-process.ts";
import { openApiTypes } from "../kit/openapi-types.ts";

const running = new Map<string, RunningService>();
beforeAll(async () => {
  for (const s of SERVICES) running.set(s.name, await s.start());
});
afterAll(async () => {
  for (const s of running.values()) await s.stop();
});

const generatedFile = (service: string) => join(ROOT, "contracts", "generated", `${service}.ts`);

describe.each(SERVICES.map((s) => s.name))("%s's generated client types", (name) => {
  it("are current with the service's /openapi.json", async () => {
    const document = await (await fetch(`${running.get(name)!.url}/openapi.json`)).json();
    const fresh = await openApiTypes(document, name);
    if (process.env.UPDATE_OPENAPI_TYPES === "1") writeFileSync(generatedFile(name), fresh);
    let committed = "";
    try {
      committed = readFileSync(generatedFile(name), "utf8");
    } catch {
      // missing: the comparison below says so
    }
    expect(committed, `run UPDATE_OPENAPI_TYPES=1 pnpm test e2e/test/openapi-client.test.ts`).toBe(fresh);
  });
});

describe("the README's flow through a client generated from PE's document", () => {
  it("creates an agreement, reads it, lists a page and gets a 400, all typed", async () => {
    const pe = createClient<PePaths>({ baseUrl: running.get("pe")!.url });
    const body = application();

    const created = await pe.POST("/agreements", {
      body,
      params: { header: { "Idempotency-Key": `client-${body.client.passportNumber}` } },
    });
    expect(created.response.status).toBe(201);
    const agreement = created.data!;
    expect(agreement.status).toBe("NEW");
    expect(agreement.principal).toBe("305000.00");
    expect(agreement.schedule).toHaveLength(12);
    expect(created.response.headers.get("location")).toBe(`/agreements/${agreement.id}`);

    const read = await pe.GET("/agreements/{id}", { params: { path: { id: agreement.id } } });
    expect(read.data?.id).toBe(agreement.id);
    expect(read.data?.monthlyPayment).toBe(agreement.monthlyPayment);

    const page = await pe.GET("/agreements", { params: { query: { limit: 1, clientId: agreement.clientId } } });
    expect(page.data?.items.map((a) => a.id)).toEqual([agreement.id]);
    expect(page.data?.nextCursor).toBeNull();

    const refused = await pe.POST("/agreements", { body: { ...body, termMonths: 0 } });
    expect(refused.response.status).toBe(400);
    expect(refused.data).toBeUndefined();
    expect(refused.error?.error.code).toBe("VALIDATION_FAILED");
    expect(refused.error?.error.details.map((d) => d.path)).toEqual(["termMonths"]);
    expect(refused.response.headers.get("x-request-id")).toBeTruthy();
  });
});
