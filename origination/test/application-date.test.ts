import type { TestDatabase } from "@loans/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplicationView } from "../src/applications/applications.schemas.ts";
import { agreement, getJson, message, type Origination, sendIntake, startTestOrigination, waitFor } from "./helpers.ts";

let database: TestDatabase;
let origination: Origination;

beforeAll(async () => {
  ({ database, service: origination } = await startTestOrigination());
});
afterAll(async () => {
  await origination?.stop();
  await database?.drop();
});

const decided = (id: string) =>
  waitFor(async () => {
    const { body } = await getJson<ApplicationView>(`${origination.url}/applications/${id}`);
    return body.decision ? body : undefined;
  }, `a decision on ${id}`);

const stored = (id: string) =>
  origination.db
    .selectFrom("applications")
    .select(["application_date", "payload_hash", "created_at"])
    .where("agreement_id", "=", id)
    .executeTakeFirstOrThrow();

// Born 2007-06-01: 17 the day before their 18th birthday, 18 on it; years under 18 at any date this test runs.
const teen = { birthDate: "2007-06-01" };

describe("the application date (LIFECYCLE §8.11)", () => {
  it("is PE's business date from agreement.created, and the AGE rule reads it", async () => {
    const young = agreement({ ...teen, applicationDate: "2025-05-31" });
    const adult = agreement({ ...teen, applicationDate: "2025-06-01" });
    await sendIntake(origination.url, [message(young), message(adult)]);
    expect((await stored(young.agreementId)).application_date).toBe("2025-05-31");
    const rejected = await decided(young.agreementId);
    expect(rejected.status).toBe("REJECTED");
    expect(rejected.decision?.reasons).toEqual([
      { code: "AGE", message: "client is 17 on the application date 2025-05-31, under the minimum age 18" },
    ]);
    expect((await decided(adult.agreementId)).status).toBe("APPROVED");
  });

  it("is the UTC date the application arrived when an older PE sends none", async () => {
    const p = agreement();
    const [result] = await sendIntake(origination.url, [message(p)]);
    expect(result?.outcome).toBe("ok");
    const row = await stored(p.agreementId);
    expect(row.application_date).toBe(row.created_at.toISOString().slice(0, 10));
    // The hash of a message without the date keeps its old recipe, so a repeat from before the upgrade matches.
    expect(row.payload_hash).toMatch(/^v1:/);
  });

  it("is part of the message: a repeat matches, another date under the same agreement is refused", async () => {
    const p = agreement({ applicationDate: "2025-03-01" });
    const m = message(p);
    const [first] = await sendIntake(origination.url, [m]);
    const [again] = await sendIntake(origination.url, [m]);
    // The repeat matches (ok, not a conflict); it answers the application as it is now, which scoring
    // may have decided in between.
    expect(first).toMatchObject({ outcome: "ok" });
    expect(again).toMatchObject({
      outcome: "ok",
      result: { status: expect.stringMatching(/^(IN_PROGRESS|APPROVED)$/) },
    });
    expect((await stored(p.agreementId)).payload_hash).toMatch(/^v2:/);
    const [other] = await sendIntake(origination.url, [message({ ...p, applicationDate: "2025-03-02" })]);
    expect(other).toMatchObject({ outcome: "rejected", error: { code: "CONFLICT" } });
  });
});
