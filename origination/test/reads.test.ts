import type { TestDatabase } from "@loans/db/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplicationView } from "../src/applications/applications.schemas.ts";
import {
  agreement,
  errorShape,
  getJson,
  message,
  type Origination,
  sendIntake,
  startTestOrigination,
} from "./helpers.ts";

let database: TestDatabase;
let origination: Origination;
type Page = { items: ApplicationView[]; nextCursor: string | null };

// Scoring is held back: statuses here are only what the tests set.
beforeAll(async () => {
  ({ database, service: origination } = await startTestOrigination({ SCORING_DELAY_MS: "600000" }));
});
afterAll(async () => {
  await origination?.stop();
  await database?.drop();
});

const get = <T>(path: string) => getJson<T>(`${origination.url}${path}`);

async function allPages(query: string): Promise<ApplicationView[][]> {
  const pages: ApplicationView[][] = [];
  let cursor: string | null = null;
  do {
    const suffix: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
    const { status, body }: { status: number; body: Page } = await get<Page>(`/applications?${query}${suffix}`);
    expect(status).toBe(200);
    pages.push(body.items);
    cursor = body.nextCursor;
  } while (cursor !== null && pages.length < 100);
  return pages;
}

describe("GET /applications/{agreementId}", () => {
  it("answers the application in its public shape", async () => {
    const p = agreement();
    await sendIntake(origination.url, [message(p)]);
    const { status, body } = await get<ApplicationView>(`/applications/${p.agreementId}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      agreementId: p.agreementId,
      clientId: p.clientId,
      status: "IN_PROGRESS",
      decision: null,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
    });
  });

  it("answers 404 for an unknown agreement and 400 for an id that is not a uuid", async () => {
    const unknown = await get(`/applications/${crypto.randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ ...errorShape, error: { ...errorShape.error, code: "NOT_FOUND" } });
    for (const id of ["nope", "1", "00000000-0000-0000-0000-00000000000g", "%27%3B--", "a".repeat(5000)]) {
      const r = await get(`/applications/${id}`);
      expect(r.status, id).toBe(400);
      expect(r.body).toMatchObject({ error: { code: "VALIDATION_FAILED", details: [{ path: "agreementId" }] } });
    }
  });
});

describe("GET /applications", () => {
  it("pages through every application once, newest first, ties broken by agreement id", async () => {
    // Five in one batch share their created_at (one transaction), so the order among them is the id's.
    await sendIntake(
      origination.url,
      [1, 2, 3, 4, 5].map(() => message(agreement())),
    );
    await sendIntake(origination.url, [message(agreement())]);
    await sendIntake(origination.url, [message(agreement())]);
    const expected = await origination.db
      .selectFrom("applications")
      .select("agreement_id")
      .orderBy("created_at", "desc")
      .orderBy("agreement_id", "desc")
      .execute();
    const pages = await allPages("limit=3");
    expect(pages.slice(0, -1).every((p) => p.length === 3)).toBe(true);
    expect(pages.flat().map((a) => a.agreementId)).toEqual(expected.map((r) => r.agreement_id));
  });

  it("filters by status, 20 to a page unless asked", async () => {
    const ps = [1, 2, 3].map(() => agreement());
    await sendIntake(
      origination.url,
      ps.map((p) => message(p)),
    );
    const approved = [ps[0]!.agreementId, ps[2]!.agreementId];
    await sql`
      update applications
         set status = 'APPROVED', decision_result = 'APPROVED', decision_reasons = '[]', decided_at = now()
       where agreement_id = any(${approved}::uuid[])`.execute(origination.db);
    const { body } = await get<Page>("/applications?status=APPROVED");
    expect(body.items.map((a) => a.agreementId).sort()).toEqual([...approved].sort());
    expect(body.nextCursor).toBeNull();
    expect((await allPages("status=APPROVED&limit=1")).flat().map((a) => a.status)).toEqual(["APPROVED", "APPROVED"]);
    const all = await get<Page>("/applications");
    expect(all.body.items.length).toBeLessThanOrEqual(20);
  });

  it.each([
    ["status=DONE", "status"],
    ["status=", "status"],
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=2.5", "limit"],
    ["limit=abc", "limit"],
    ["cursor=garbage", "cursor"],
    [`cursor=${Buffer.from("[1,2]").toString("base64url")}`, "cursor"],
    [
      `cursor=${Buffer.from(`["2024-02-30T00:00:00.000000Z","${crypto.randomUUID()}"]`).toString("base64url")}`,
      "cursor",
    ],
    [
      `cursor=${Buffer.from(`["0000-01-01T00:00:00.000000Z","${crypto.randomUUID()}"]`).toString("base64url")}`,
      "cursor",
    ],
    [`cursor=${Buffer.from('["2024-01-01T00:00:00.000000Z","not-a-uuid"]').toString("base64url")}`, "cursor"],
  ])("answers 400 to ?%s", async (query, field) => {
    const r = await get(`/applications?${query}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: "VALIDATION_FAILED", details: [{ path: field }] } });
  });
});

describe("GET /openapi.json", () => {
  it("documents the routes from the same schemas", async () => {
    const { status, body } = await get<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      "/openapi.json",
    );
    expect(status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths).sort()).toEqual([
      "/admin/audit",
      "/admin/me",
      "/admin/operators",
      "/admin/operators/{id}",
      "/admin/operators/{id}/tokens",
      "/admin/operators/{id}/tokens/{tokenId}",
      "/admin/outbox",
      "/admin/outbox/dead",
      "/admin/outbox/messages",
      "/admin/outbox/requeue",
      "/admin/queues",
      "/applications",
      "/applications/{agreementId}",
      "/events",
      "/internal/agreement-events",
      "/internal/applications",
      "/internal/withdrawals",
    ]);
    expect(JSON.stringify(body.paths["/applications"])).toContain("PAYMENT_PENDING");
  });
});
