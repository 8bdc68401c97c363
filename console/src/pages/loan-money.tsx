import { Empty, type Loaded, Maybe, Panel, Status } from "../components.tsx";
import { fmtMoney, fmtTime, shortId, TRANSACTION_TYPES } from "../format.ts";
import type { Agreement, Page, Payment, Payout, Refund, Transaction } from "../types.ts";

const PURPOSES: Record<string, string> = { REGULAR: "installment", EARLY_REPAYMENT: "early repayment" };

/** Where PE has applied a payment, the ledger journal that carries its id says how and when. */
function appliedPayments(tx: Page<Transaction> | null | undefined): Map<string, Transaction> {
  const applied = new Map<string, Transaction>();
  for (const t of tx?.items ?? []) if (t.paymentId && !applied.has(t.paymentId)) applied.set(t.paymentId, t);
  return applied;
}

function Payouts({ items }: { items: Payout[] }) {
  if (items.length === 0) return <Empty>No payout.</Empty>;
  return (
    <ul class="plain">
      {items.map((x) => (
        <li key={x.id} data-payout={x.id}>
          {x.kind} {fmtMoney(x.amount)} <Status value={x.status} />{" "}
          <span class="muted">
            to …{x.destination.accountNumber.slice(-4)}, {fmtTime(x.settledAt ?? x.createdAt)}
            {x.failureCode ? `, ${x.failureCode}` : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}

function PaymentItem({ x, t }: { x: Payment; t: Transaction | undefined }) {
  return (
    <li data-payment={x.id} data-applied={t ? t.on : undefined}>
      {fmtMoney(x.amount)} {PURPOSES[x.purpose] ?? x.purpose} <Status value={x.status} />{" "}
      <span class="muted">
        {fmtTime(x.succeededAt ?? x.createdAt)}
        {x.failureCode ? `, ${x.failureCode}${x.failureMessage ? `: ${x.failureMessage}` : ""}` : ""}
        {t
          ? `; PE: ${(TRANSACTION_TYPES[t.type] ?? t.type).toLowerCase()} on ${t.on}`
          : x.status === "SUCCEEDED"
            ? "; not in PE's ledger yet"
            : ""}
      </span>
    </li>
  );
}

function Payments({ items, applied }: { items: Payment[]; applied: Map<string, Transaction> }) {
  if (items.length === 0) return <Empty>No payment.</Empty>;
  return (
    <ul class="plain">
      {items.map((x) => (
        <PaymentItem key={x.id} x={x} t={applied.get(x.id)} />
      ))}
    </ul>
  );
}

function Refunds({ refunds }: { refunds: Refund[] }) {
  return (
    <>
      <h3>Refunds of overpayments</h3>
      <ul class="plain">
        {refunds.map((r) => (
          <li key={r.payoutId} data-refund={r.payoutId}>
            {fmtMoney(r.amount)} <Status value={r.status} />{" "}
            <span class="muted">
              of payment {shortId(r.paymentId)}, {fmtTime(r.settledAt ?? r.createdAt)}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** PG's payouts and payments of the loan, each payment with where PE's ledger applied it, and PE's refunds. */
export function MoneyPanel(props: {
  a: Agreement;
  payouts: Loaded<Page<Payout> | null>;
  payments: Loaded<Page<Payment> | null>;
  tx: Loaded<Page<Transaction> | null>;
}) {
  const applied = appliedPayments(props.tx.data);
  return (
    <Panel title="Payment Gateway: payouts and payments" id="money">
      <h3>Payouts</h3>
      <Maybe what="payouts" loaded={props.payouts}>
        {(p) => <Payouts items={p.items} />}
      </Maybe>
      <h3>Payments</h3>
      <Maybe what="payments" loaded={props.payments}>
        {(p) => <Payments items={p.items} applied={applied} />}
      </Maybe>
      {props.a.refunds.length > 0 && <Refunds refunds={props.a.refunds} />}
    </Panel>
  );
}
