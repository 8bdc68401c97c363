import { randomUUID } from "node:crypto";
import { waitFor } from "@loans/shared/test-kit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  account,
  disbursed,
  finalPayment,
  getJson,
  message,
  order,
  pay,
  paymentBody,
  postBatch,
  startTestGateway,
  statusChanged,
} from "./helpers.ts";
import { startPeReceiver } from "./pe-receiver.ts";

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let pe: Awaited<ReturnType<typeof startPeReceiver>>;
let url: string;

beforeAll(async () => {
  pe = await startPeReceiver();
  gw = await startTestGateway({ PE_URL: pe.url });
  url = gw.service.url;
});
afterAll(async () => {
  await gw?.stop();
  await pe?.close();
});

/**
 * An agreement PG paid out, with final payments of these amounts (SUCCEEDED, or FAILED from a `…9903`
 * payer), then closed by PE.
 */
async function closedWithPayments(amounts: string[], payer = "0042") {
  const { agreementId } = await disbursed(url);
  await postBatch(url, "/internal/agreement-events", [statusChanged(agreementId, "ACTIVE")]);
  const payments: string[] = [];
  for (const amount of amounts) {
    const r = await pay(url, paymentBody(agreementId, { amount, payer: { accountNumber: account(payer) } }));
    await finalPayment(url, r.body.id);
    payments.push(r.body.id);
  }
  await postBatch(url, "/internal/agreement-events", [statusChanged(agreementId, "CLOSED")]);
  return { agreementId, payments };
}

const refund = (agreementId: string, sourcePaymentId: string | undefined, amount: string) =>
  order({
    kind: "REFUND",
    agreementId,
    amount,
    destination: { accountNumber: account("0042") },
    ...(sourcePaymentId && { sourcePaymentId }),
  });

const send = async (o: ReturnType<typeof order>) =>
  (await postBatch(url, "/internal/payouts", [message("payout.requested", o)]))[0]!;

describe("REFUND payouts", () => {
  it("are taken after CLOSED, several per agreement, paid, and announced with payout.settled", async () => {
    const { agreementId, payments } = await closedWithPayments(["100.00", "50.00"]);
    const first = refund(agreementId, payments[0], "100.00");
    const second = refund(agreementId, payments[1], "20.00");
    expect(await send(first)).toMatchObject({ outcome: "ok", result: { status: "PENDING" } });
    expect(await send(second)).toMatchObject({ outcome: "ok" });
    await waitFor(() => pe.of(agreementId, "payout.settled").length === 3, { what: "both refunds settled" });
    const refunds = pe.of(agreementId, "payout.settled").filter((m) => m.payload.kind === "REFUND");
    expect(refunds.map((m) => [m.payload.payoutId, m.payload.status, m.payload.amount]).sort()).toEqual(
      [
        [first.payoutId, "PAID", "100.00"],
        [second.payoutId, "PAID", "20.00"],
      ].sort(),
    );
    // A repeat of an order answers the refund as it is now, even though it counts itself among the refunds.
    expect(await send(first)).toMatchObject({ outcome: "ok", result: { status: "PAID" } });
    // Paging over the agreement's payouts: two refunds and the disbursement, newest first.
    const page1 = await getJson(`${url}/payouts?agreementId=${agreementId}&limit=2`);
    expect(page1.items.map((p: { kind: string }) => p.kind)).toEqual(["REFUND", "REFUND"]);
    const page2 = await getJson(`${url}/payouts?agreementId=${agreementId}&limit=2&cursor=${page1.nextCursor}`);
    expect(page2.items.map((p: { kind: string }) => p.kind)).toEqual(["DISBURSEMENT"]);
    expect(page2.nextCursor).toBeNull();
    expect((await getJson(`${url}/payouts?agreementId=${agreementId}&kind=REFUND&status=PAID`)).items).toHaveLength(2);
  });

  it("are refused unless a SUCCEEDED payment of the agreement covers them", async () => {
    const { agreementId, payments } = await closedWithPayments(["100.00"]);
    const other = await closedWithPayments(["500.00"]);
    const unpaid = await closedWithPayments(["70.00"], "9903");
    const refused = [
      refund(agreementId, payments[0], "100.01"),
      refund(agreementId, undefined, "1.00"),
      refund(agreementId, other.payments[0], "1.00"),
      refund(agreementId, randomUUID(), "1.00"),
      refund(unpaid.agreementId, unpaid.payments[0], "70.00"),
    ];
    for (const o of refused)
      expect(await send(o), JSON.stringify(o)).toMatchObject({
        outcome: "rejected",
        error: { code: "REFUND_NOT_COVERED" },
      });
    expect(await send(refund(agreementId, payments[0], "60.00"))).toMatchObject({ outcome: "ok" });
    // One live refund per payment: a second order for it, under another id, is a conflict.
    expect(await send(refund(agreementId, payments[0], "40.00"))).toMatchObject({
      outcome: "rejected",
      error: { code: "PAYOUT_CONFLICT" },
    });
    const listed = await getJson(`${url}/payouts?agreementId=${agreementId}&kind=REFUND`);
    expect(listed.items.map((p: { amount: string }) => p.amount)).toEqual(["60.00"]);
  });
});
