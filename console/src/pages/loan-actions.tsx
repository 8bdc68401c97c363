import { useState } from "preact/hooks";
import { api, newRequestId } from "../api.ts";
import { ConfirmAction } from "../components.tsx";
import { fmtMoney, isZero } from "../format.ts";
import { useCan } from "../session.ts";
import type { Agreement, PayoffQuote } from "../types.ts";

const WITHDRAWABLE = ["NEW", "IN_PROGRESS", "APPROVED"];
const TEST_ACCOUNT = "40817810000000000001";

function Field(props: {
  id: string;
  label: string;
  value: string;
  set: (v: string) => void;
  type?: "text" | "date";
  pattern?: string;
  hint?: string;
}) {
  return (
    <p class="field">
      <label for={props.id}>{props.label}</label>
      {props.type === "date" ? (
        <input
          id={props.id}
          type="date"
          value={props.value}
          required
          onInput={(e) => props.set(e.currentTarget.value)}
        />
      ) : (
        <input
          id={props.id}
          type="text"
          value={props.value}
          pattern={props.pattern}
          required
          onInput={(e) => props.set(e.currentTarget.value)}
        />
      )}
      {props.hint && <small class="muted">{props.hint}</small>}
    </p>
  );
}

const Done = ({ what, requestId }: { what: string; requestId: string }) => (
  <p>
    {what} <span class="muted">Request id {requestId}: every log line of it carries this id.</span>
  </p>
);

/** What is due now on PE's business date, if anything. */
const dueNow = (a: Agreement) => (a.balances && !isZero(a.balances.totalDue) ? a.balances.totalDue : null);

function WithdrawAction({ a, onChange }: { a: Agreement; onChange: () => void }) {
  return (
    <ConfirmAction
      label="Withdraw"
      disabled={!WITHDRAWABLE.includes(a.status)}
      question={
        <p>The client takes the application back. It becomes WITHDRAWN on every service and cannot be undone.</p>
      }
      confirmLabel="Withdraw the application"
      onDone={onChange}
      act={async () => {
        const id = newRequestId();
        const r = await api<Agreement>("pe", `/agreements/${a.id}/withdraw`, {
          method: "POST",
          headers: { "x-request-id": id },
        });
        return <Done what={`Now ${r.status}.`} requestId={id} />;
      }}
    />
  );
}

function DisburseAction({ a, onChange }: { a: Agreement; onChange: () => void }) {
  const [account, setAccount] = useState(TEST_ACCOUNT);
  // One key per opened dialog would be better still; one per page view keeps a double click from paying twice.
  const [key] = useState(() => crypto.randomUUID());
  return (
    <ConfirmAction
      label="Disburse"
      disabled={a.status !== "APPROVED"}
      question={<p>Pay out {fmtMoney(a.disbursementAmount)} to the client's account through the Payment Gateway.</p>}
      fields={
        <Field id="account" label="Client's account (20 digits)" value={account} set={setAccount} pattern="\d{20}" />
      }
      confirmLabel="Pay out"
      onDone={onChange}
      act={async () => {
        const id = newRequestId();
        const r = await api<Agreement>("pe", `/agreements/${a.id}/disburse`, {
          method: "POST",
          headers: { "idempotency-key": key, "x-request-id": id },
          body: { destination: { accountNumber: account } },
        });
        return <Done what={`Now ${r.status}.`} requestId={id} />;
      }}
    />
  );
}

type Purpose = "REGULAR" | "EARLY_REPAYMENT";

/**
 * The payment form's fields and idempotency key. Held by LoanActions, which is there from the first view,
 * while the form appears only once PE's clock is known: the amount proposed is what was due on that first view.
 */
function usePaymentForm(a: Agreement) {
  const [amount, setAmount] = useState(dueNow(a) ?? a.currentPayment ?? a.monthlyPayment);
  const [purpose, setPurpose] = useState<Purpose>("REGULAR");
  const [payer, setPayer] = useState(TEST_ACCOUNT);
  const [key] = useState(() => crypto.randomUUID());
  return { amount, setAmount, purpose, setPurpose, payer, setPayer, key };
}

type PaymentForm = ReturnType<typeof usePaymentForm>;

function PaymentFields({ form }: { form: PaymentForm }) {
  return (
    <>
      <Field id="amount" label="Amount" value={form.amount} set={form.setAmount} pattern="\d+(\.\d{1,2})?" />
      <Field id="payer" label="Payer's account (20 digits)" value={form.payer} set={form.setPayer} pattern="\d{20}" />
      <p class="field">
        <label for="purpose">Purpose</label>
        <select id="purpose" value={form.purpose} onChange={(e) => form.setPurpose(e.currentTarget.value as Purpose)}>
          <option value="REGULAR">Installment: what is due, then held for the next due date</option>
          <option value="EARLY_REPAYMENT">Early repayment: prepays principal on the next due date</option>
        </select>
      </p>
    </>
  );
}

function PaymentAction({ a, form, onChange }: { a: Agreement; form: PaymentForm; onChange: () => void }) {
  const due = dueNow(a);
  const { amount, purpose, payer } = form;
  return (
    <ConfirmAction
      label="Record a payment"
      disabled={a.status !== "ACTIVE"}
      question={
        <p>
          The client pays through the Payment Gateway; PE allocates it when PG reports it settled.
          {due ? ` Due now: ${fmtMoney(due)}.` : ""}
        </p>
      }
      fields={<PaymentFields form={form} />}
      confirmLabel="Record the payment"
      onDone={onChange}
      act={async () => {
        const id = newRequestId();
        const r = await api<{ id: string; status: string }>("gateway", "/payments", {
          method: "POST",
          headers: { "idempotency-key": `${form.key}-${amount}-${purpose}`, "x-request-id": id },
          body: { agreementId: a.id, amount, purpose, payer: { accountNumber: payer } },
        });
        return <Done what={`Payment ${r.id.slice(0, 8)} is ${r.status}.`} requestId={id} />;
      }}
    />
  );
}

function QuoteAction({ a }: { a: Agreement }) {
  const [date, setDate] = useState(a.businessDate ?? new Date().toISOString().slice(0, 10));
  return (
    <ConfirmAction
      label="Payoff quote"
      disabled={a.status !== "ACTIVE"}
      question={<p>What the client would pay to close the loan on the chosen day (nothing is charged).</p>}
      fields={<Field id="quote-date" label="Date" type="date" value={date} set={setDate} />}
      confirmLabel="Quote"
      act={async () => {
        const q = await api<PayoffQuote>("pe", `/agreements/${a.id}/payoff-quote?date=${encodeURIComponent(date)}`);
        return <Quote q={q} />;
      }}
    />
  );
}

/**
 * The operator's actions on one loan, each behind a confirm dialog. Recording a payment is offered only
 * with PE's manual business clock, and only where PG takes payments; the payoff quote only where PE has it.
 * An action the signed-in role cannot take is not offered at all (roles.ts); the quote only reads.
 */
export function LoanActions(props: { a: Agreement; clock: string | null; onChange: () => void }) {
  const { a, onChange } = props;
  const payment = usePaymentForm(a);
  const can = useCan();
  return (
    <div class="actions">
      {can("withdraw") && <WithdrawAction a={a} onChange={onChange} />}
      {can("disburse") && <DisburseAction a={a} onChange={onChange} />}
      {props.clock === "manual" && can("recordPayment") && <PaymentAction a={a} form={payment} onChange={onChange} />}
      <QuoteAction a={a} />
    </div>
  );
}

const QUOTE_PARTS: Array<[keyof PayoffQuote["components"], string]> = [
  ["principal", "Principal outstanding"],
  ["interest", "Interest accrued in the current period"],
  ["overdueInterest", "Overdue interest"],
  ["penalty", "Penalty"],
  ["unappliedFunds", "Less unapplied funds already paid in"],
];

/** A payoff quote in words: what makes up the amount, and how the current period's interest was accrued. */
function Quote({ q }: { q: PayoffQuote }) {
  const c = q.accrual;
  return (
    <div class="quote">
      <p>
        To close the loan on {q.date}: <strong data-quote={q.amount}>{fmtMoney(q.amount)}</strong>
      </p>
      <dl class="kv">
        {QUOTE_PARTS.map(([k, label]) => (
          <>
            <dt>{label}</dt>
            <dd data-component={k}>
              {k === "unappliedFunds" && !isZero(q.components[k]) ? "− " : ""}
              {fmtMoney(q.components[k])}
            </dd>
          </>
        ))}
      </dl>
      <p class="muted small" data-accrual={c ? `${c.daysElapsed}/${c.daysInPeriod}` : "none"}>
        {c
          ? `Interest of period ${c.period} (${c.from} to ${c.to}) for ${c.daysElapsed} of its ${c.daysInPeriod} days ` +
            `on the opening balance of ${fmtMoney(c.openingBalance)}, Actual/Actual (ICMA).`
          : "No interest accrued: the quote falls on a due date."}{" "}
        Valid for that day only.
      </p>
    </div>
  );
}
