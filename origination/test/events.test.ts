import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agreement, getJson, message, type Origination, sendIntake, startTestOrigination, waitFor } from "./helpers.ts";

// EVENTS §2: Origination's decision is an `application.decided` event, written with the decision.
let origination: Origination;
let drop: () => Promise<void>;
beforeAll(async () => {
  const started = await startTestOrigination();
  origination = started.service;
  drop = () => started.database.drop();
});
afterAll(async () => {
  await origination?.stop();
  await drop?.();
});

interface Page {
  items: Array<{ id: string; type: string; source: string; subject: string; businessdate?: string; data: unknown }>;
}

const eventsOf = (id: string) =>
  waitFor(async () => {
    const { status, body } = await getJson<Page>(`${origination.url}/events?subject=${id}`);
    expect(status).toBe(200);
    return body.items.length > 0 ? body.items : undefined;
  }, `the events of ${id}`);

describe("Origination's events", () => {
  it("one application.decided per decision, with its reasons, and nothing of the applicant", async () => {
    const approved = agreement();
    const rejected = agreement({ birthDate: "1940-01-01", monthlyIncome: "0.00" });
    await sendIntake(origination.url, [message(approved), message(rejected)]);
    const [a] = await eventsOf(approved.agreementId);
    expect(a).toMatchObject({
      type: "application.decided",
      source: "origination",
      subject: approved.agreementId,
      data: { agreementId: approved.agreementId, result: "APPROVED", reasons: [] },
    });
    expect(a).not.toHaveProperty("businessdate");
    const r = await eventsOf(rejected.agreementId);
    expect(r).toHaveLength(1);
    const data = r[0]!.data as { result: string; reasons: Array<{ code: string }> };
    expect(data.result).toBe("REJECTED");
    expect(data.reasons.length).toBeGreaterThan(0);
    // The reasons name the rules in words; the applicant's own figures stay in Origination.
    expect(JSON.stringify(r)).not.toMatch(/1940-01-01|"birthDate"|"monthlyIncome"/);
    // The intake repeated changes nothing: still one event.
    await sendIntake(origination.url, [message(approved)]);
    expect(await eventsOf(approved.agreementId)).toHaveLength(1);
  });
});
