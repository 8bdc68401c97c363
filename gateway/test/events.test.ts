import { waitFor } from "@loans/shared/test-kit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account, disbursed, finalPayment, getJson, pay, paymentBody, startTestGateway } from "./helpers.ts";

// EVENTS §2: PG's payout and payment outcomes are events, written in the transaction that settles them.
let gw: Awaited<ReturnType<typeof startTestGateway>>;
let url: string;
beforeAll(async () => {
  gw = await startTestGateway();
  url = gw.service.url;
});
afterAll(() => gw?.stop());

interface Envelope {
  id: string;
  type: string;
  source: string;
  subject: string;
  // biome-ignore lint/suspicious/noExplicitAny: each type's data is read by the assertions
  data: any;
}

const eventsOf = (agreementId: string, n: number): Promise<Envelope[]> =>
  waitFor(async () => {
    const page = await getJson(`${url}/events?subject=${agreementId}`);
    return page.items.length >= n ? (page.items as Envelope[]) : null;
  });

describe("PG's events", () => {
  it("payout.settled once for a paid payout, then payment.succeeded for a collected payment; no account numbers", async () => {
    const { agreementId, payoutId } = await disbursed(url);
    const r = await pay(url, paymentBody(agreementId, { amount: "1500.00" }));
    await finalPayment(url, r.body.id);
    const events = await eventsOf(agreementId, 2);
    expect(events.map((e) => e.type)).toEqual(["payout.settled", "payment.succeeded"]);
    expect(events[0]).toMatchObject({
      source: "gateway",
      data: { payoutId, agreementId, kind: "DISBURSEMENT", status: "PAID", amount: "300000.00", failureCode: null },
    });
    expect(events[1]!.data).toMatchObject({ paymentId: r.body.id, amount: "1500.00", purpose: "REGULAR" });
    expect(JSON.stringify(events)).not.toContain(account());
  });

  it("payout.settled FAILED with the bank's code; payment.failed for a refused payment", async () => {
    const failed = await disbursed(url, { destination: { accountNumber: account("9901") } });
    const [settled] = await eventsOf(failed.agreementId, 1);
    expect(settled!.data).toMatchObject({ status: "FAILED", failureCode: expect.any(String) });

    const { agreementId } = await disbursed(url);
    const r = await pay(url, paymentBody(agreementId, { payer: { accountNumber: account("9903") } }));
    await finalPayment(url, r.body.id);
    const events = await eventsOf(agreementId, 2);
    expect(events[1]).toMatchObject({
      type: "payment.failed",
      data: { paymentId: r.body.id, failureCode: "insufficient_funds" },
    });
  });
});
