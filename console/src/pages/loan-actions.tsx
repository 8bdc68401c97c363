import { useState } from "preact/hooks";
import { api, newRequestId } from "../api.ts";
import { ConfirmAction } from "../components.tsx";
import { fmtMoney } from "../format.ts";
import type { Agreement } from "../types.ts";

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

/**
 * The operator's actions on one loan, each behind a confirm dialog. Recording a payment is offered only
 * with PE's manual business clock, and only where PG takes payments; the payoff quote only where PE has it.
 */
export function LoanActions(props: { a: Agreement; clock: string | null; onChange: () => void }) {
  const { a } = props;
  const [account, setAccount] = useState(TEST_ACCOUNT);
  const [amount, setAmount] = useState(a.currentPayment ?? a.monthlyPayment);
  const [payer, setPayer] = useState(TEST_ACCOUNT);
  const [date, setDate] = useState(a.businessDate ?? new Date().toISOString().slice(0, 10));
  // One key per opened dialog would be better still; one per page view keeps a double click from paying twice.
  const [keys] = useState(() => ({ disburse: crypto.randomUUID(), pay: crypto.randomUUID() }));
  return (
    <div class="actions">
      <ConfirmAction
        label="Withdraw"
        disabled={!WITHDRAWABLE.includes(a.status)}
        question={
          <p>The client takes the application back. It becomes WITHDRAWN on every service and cannot be undone.</p>
        }
        confirmLabel="Withdraw the application"
        onDone={props.onChange}
        act={async () => {
          const id = newRequestId();
          const r = await api<Agreement>("pe", `/agreements/${a.id}/withdraw`, {
            method: "POST",
            headers: { "x-request-id": id },
          });
          return <Done what={`Now ${r.status}.`} requestId={id} />;
        }}
      />
      <ConfirmAction
        label="Disburse"
        disabled={a.status !== "APPROVED"}
        question={<p>Pay out {fmtMoney(a.disbursementAmount)} to the client's account through the Payment Gateway.</p>}
        fields={
          <Field id="account" label="Client's account (20 digits)" value={account} set={setAccount} pattern="\d{20}" />
        }
        confirmLabel="Pay out"
        onDone={props.onChange}
        act={async () => {
          const id = newRequestId();
          const r = await api<Agreement>("pe", `/agreements/${a.id}/disburse`, {
            method: "POST",
            headers: { "idempotency-key": keys.disburse, "x-request-id": id },
            body: { destination: { accountNumber: account } },
          });
          return <Done what={`Now ${r.status}.`} requestId={id} />;
        }}
      />
      {props.clock === "manual" && (
        <ConfirmAction
          label="Record a payment"
          disabled={a.status !== "ACTIVE"}
          question={<p>The client pays through the Payment Gateway; PE allocates it when PG reports it settled.</p>}
          fields={
            <>
              <Field id="amount" label="Amount" value={amount} set={setAmount} pattern="\d+(\.\d{1,2})?" />
              <Field id="payer" label="Payer's account (20 digits)" value={payer} set={setPayer} pattern="\d{20}" />
            </>
          }
          confirmLabel="Record the payment"
          onDone={props.onChange}
          act={async () => {
            const id = newRequestId();
            const r = await api<{ id: string; status: string }>("gateway", "/payments", {
              method: "POST",
              headers: { "idempotency-key": `${keys.pay}-${amount}`, "x-request-id": id },
              body: { agreementId: a.id, amount, purpose: "REGULAR", payer: { accountNumber: payer } },
            });
            return <Done what={`Payment ${r.id.slice(0, 8)} is ${r.status}.`} requestId={id} />;
          }}
        />
      )}
      <ConfirmAction
        label="Payoff quote"
        disabled={a.status !== "ACTIVE"}
        question={<p>What the client would pay to close the loan on the chosen day (nothing is charged).</p>}
        fields={<Field id="quote-date" label="Date" type="date" value={date} set={setDate} />}
        confirmLabel="Quote"
        act={async () => {
          const q = await api<{ amount: string; date: string; components: Record<string, string> }>(
            "pe",
            `/agreements/${a.id}/payoff-quote?date=${encodeURIComponent(date)}`,
          );
          return (
            <div>
              <p>
                To close on {q.date}: <strong data-quote={q.amount}>{fmtMoney(q.amount)}</strong>
              </p>
              <dl class="kv">
                {Object.entries(q.components).map(([k, v]) => (
                  <>
                    <dt>{k}</dt>
                    <dd>{fmtMoney(v)}</dd>
                  </>
                ))}
              </dl>
            </div>
          );
        }}
      />
    </div>
  );
}
