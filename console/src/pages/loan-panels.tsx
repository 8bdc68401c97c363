import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { Empty, ErrorBox, type Loaded, Loading, Panel, Status } from "../components.tsx";
import {
  addMoney,
  BUCKETS,
  fmtMoney,
  fmtTime,
  isZero,
  PERIOD_STATUSES,
  REASONS,
  shortId,
  TRANSACTION_TYPES,
} from "../format.ts";
import { ScheduleChart } from "../schedule-chart.tsx";
import type { Agreement, Application, OutboxMessage, Page, Payment, Payout, Transaction } from "../types.ts";

/** A panel whose endpoint may not exist yet: loading, its error in words, or "not available". */
function Maybe<T>(props: { what: string; loaded: Loaded<T | null>; children: (t: T) => preact.ComponentChildren }) {
  const { data, error, loading } = props.loaded;
  if (error && data === undefined) return <ErrorBox error={error} title={`${props.what} could not be loaded`} />;
  if (data === undefined && loading) return <Loading what={props.what} />;
  if (data === null) return <p class="muted">Not available: this service does not offer {props.what} yet.</p>;
  return <>{data !== undefined && props.children(data)}</>;
}

/** PE's figures on its business date: what is due now, what is overdue, and how late (LIFECYCLE §4.2). */
export function BalancesPanel({ a }: { a: Agreement }) {
  const b = a.balances;
  const d = a.delinquency;
  return (
    <Panel title="Product Engine: balances" id="balances">
      {!b ? (
        <Empty>No balances until the loan is disbursed.</Empty>
      ) : (
        <>
          <p class="big" data-total-due={b.totalDue}>
            {fmtMoney(b.totalDue)} <span class="muted small">due now</span>
          </p>
          {a.businessDate && <p class="muted small">On the business date {a.businessDate}.</p>}
          {a.closedOn && (
            <p>
              <Status value="CLOSED" /> on {a.closedOn}: nothing more is owed.
            </p>
          )}
          <dl class="kv">
            <dt>Principal outstanding</dt>
            <dd data-balance="principalOutstanding">{fmtMoney(b.principalOutstanding)}</dd>
            <dt>Overdue principal</dt>
            <dd data-balance="principalOverdue" class={isZero(b.principalOverdue) ? "" : "bad"}>
              {fmtMoney(b.principalOverdue)}
            </dd>
            <dt>Overdue interest</dt>
            <dd data-balance="interestOverdue" class={isZero(b.interestOverdue) ? "" : "bad"}>
              {fmtMoney(b.interestOverdue)}
            </dd>
            <dt>Penalty unpaid</dt>
            <dd data-balance="penaltyOutstanding" class={isZero(b.penaltyOutstanding) ? "" : "bad"}>
              {fmtMoney(b.penaltyOutstanding)}
            </dd>
            <dt>Unapplied funds</dt>
            <dd data-balance="unappliedFunds">
              {fmtMoney(b.unappliedFunds)}
              {!isZero(b.unappliedFunds) && <small class="muted"> held until the next due date</small>}
            </dd>
            {a.currentPayment && (
              <>
                <dt>Next installment</dt>
                <dd>{fmtMoney(a.currentPayment)}</dd>
              </>
            )}
          </dl>
          {d && (
            <p data-dpd={d.daysPastDue} data-bucket={d.bucket} class={d.daysPastDue > 0 ? "delinquent" : ""}>
              {d.daysPastDue === 0
                ? "Not past due."
                : `${d.daysPastDue} ${d.daysPastDue === 1 ? "day" : "days"} past due since ${d.oldestUnpaidDueDate}`}{" "}
              <span class="muted">({BUCKETS[d.bucket] ?? d.bucket})</span>
            </p>
          )}
        </>
      )}
    </Panel>
  );
}

export function Timeline({ a }: { a: Agreement }) {
  return (
    <Panel title="Product Engine: status history" id="timeline">
      <ol class="timeline">
        {a.statusHistory.map((h) => (
          <li key={h.status}>
            <Status value={h.status} /> <time dateTime={h.at}>{fmtTime(h.at)}</time>
          </li>
        ))}
      </ol>
    </Panel>
  );
}

export function DecisionPanel({ app }: { app: Loaded<Application | null> }) {
  return (
    <Panel title="Origination: decision" id="decision">
      <Maybe what="the application" loaded={app}>
        {(x) => (
          <>
            <p>
              Application <Status value={x.status} />
            </p>
            {!x.decision ? (
              <Empty>Not decided yet.</Empty>
            ) : (
              <>
                <p>
                  <Status value={x.decision.result} /> on {fmtTime(x.decision.decidedAt)}
                </p>
                {x.decision.reasons.length === 0 ? (
                  <p>Every scoring rule passed.</p>
                ) : (
                  <ul class="reasons">
                    {x.decision.reasons.map((r) => (
                      <li key={r.code}>
                        <strong>{REASONS[r.code] ?? r.code}.</strong> {r.message}
                      </li>
                    ))}
                  </ul>
                )}
              </>
            )}
          </>
        )}
      </Maybe>
    </Panel>
  );
}

const PURPOSES: Record<string, string> = { REGULAR: "installment", EARLY_REPAYMENT: "early repayment" };

export function MoneyPanel(props: {
  a: Agreement;
  payouts: Loaded<Page<Payout> | null>;
  payments: Loaded<Page<Payment> | null>;
  tx: Loaded<Page<Transaction> | null>;
}) {
  // Where PE has applied a payment, the ledger journal that carries its id says how and when.
  const applied = new Map<string, Transaction>();
  for (const t of props.tx.data?.items ?? []) if (t.paymentId && !applied.has(t.paymentId)) applied.set(t.paymentId, t);
  return (
    <Panel title="Payment Gateway: payouts and payments" id="money">
      <h3>Payouts</h3>
      <Maybe what="payouts" loaded={props.payouts}>
        {(p) =>
          p.items.length === 0 ? (
            <Empty>No payout.</Empty>
          ) : (
            <ul class="plain">
              {p.items.map((x) => (
                <li key={x.id} data-payout={x.id}>
                  {x.kind} {fmtMoney(x.amount)} <Status value={x.status} />{" "}
                  <span class="muted">
                    to …{x.destination.accountNumber.slice(-4)}, {fmtTime(x.settledAt ?? x.createdAt)}
                    {x.failureCode ? `, ${x.failureCode}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </Maybe>
      <h3>Payments</h3>
      <Maybe what="payments" loaded={props.payments}>
        {(p) =>
          p.items.length === 0 ? (
            <Empty>No payment.</Empty>
          ) : (
            <ul class="plain">
              {p.items.map((x) => {
                const t = applied.get(x.id);
                return (
                  <li key={x.id} data-payment={x.id} data-applied={t ? t.on : undefined}>
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
              })}
            </ul>
          )
        }
      </Maybe>
      {props.a.refunds.length > 0 && (
        <>
          <h3>Refunds of overpayments</h3>
          <ul class="plain">
            {props.a.refunds.map((r) => (
              <li key={r.payoutId} data-refund={r.payoutId}>
                {fmtMoney(r.amount)} <Status value={r.status} />{" "}
                <span class="muted">
                  of payment {shortId(r.paymentId)}, {fmtTime(r.settledAt ?? r.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Panel>
  );
}

const penaltyCell = (posted: string, paid: string) =>
  isZero(posted) ? "—" : isZero(paid) ? fmtMoney(posted) : `${fmtMoney(posted)} (paid ${fmtMoney(paid)})`;

export function SchedulePanel({ a, width }: { a: Agreement; width: number }) {
  const anyPenalty = a.schedule.some((r) => !isZero(r.penalty));
  return (
    <Panel title="Schedule" id="schedule">
      <p class="muted">
        {a.scheduleAnchoredOn
          ? `Dated from the disbursement on ${a.scheduleAnchoredOn}.`
          : "Indicative: dated from the application until the money is paid out."}
        {a.scheduleVersion > 1 && (
          <>
            {" "}
            <strong class="version" data-version={a.scheduleVersion}>
              Version {a.scheduleVersion}
            </strong>
            : rebuilt after an early repayment; the periods still due are the new schedule's.
          </>
        )}
      </p>
      <ScheduleChart rows={a.schedule} width={width} />
      <div class="scroll">
        <table class="list schedule">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Due</th>
              <th scope="col" class="num">
                Payment
              </th>
              <th scope="col" class="num">
                Principal
              </th>
              <th scope="col" class="num">
                Interest
              </th>
              <th scope="col" class="num">
                Balance after
              </th>
              <th scope="col" class="num">
                Paid
              </th>
              {anyPenalty && (
                <th scope="col" class="num">
                  Penalty
                </th>
              )}
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {a.schedule.map((r) => {
              const paid = addMoney(r.paidPrincipal, r.paidInterest, r.paidPenalty);
              return (
                <tr
                  key={r.period}
                  class={`row-${r.status.toLowerCase()}`}
                  data-period={r.period}
                  data-status={r.status}
                >
                  <td>{r.period}</td>
                  <td>{r.dueDate}</td>
                  <td class="num">{fmtMoney(r.payment)}</td>
                  <td class="num">{fmtMoney(r.principal)}</td>
                  <td class="num">{fmtMoney(r.interest)}</td>
                  <td class="num">{fmtMoney(r.balance)}</td>
                  <td
                    class="num"
                    data-paid-amount={paid}
                    title={`principal ${fmtMoney(r.paidPrincipal)}, interest ${fmtMoney(r.paidInterest)}, penalty ${fmtMoney(r.paidPenalty)}`}
                  >
                    {isZero(paid) ? "—" : fmtMoney(paid)}
                    {r.paidOn && <small class="muted"> on {r.paidOn}</small>}
                  </td>
                  {anyPenalty && (
                    <td class={`num${isZero(r.penalty) ? "" : " penalty"}`} data-penalty={r.penalty}>
                      {penaltyCell(r.penalty, r.paidPenalty)}
                    </td>
                  )}
                  <td>
                    <Status value={r.status} /> <span class="muted small">{PERIOD_STATUSES[r.status]}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}

/** A row of the ledger: one journal, or a run of daily penalty journals shown as one. */
interface LedgerRow {
  key: string;
  type: string;
  from: string;
  to: string;
  amount: string;
  allocation: Transaction["allocation"];
  journals: Transaction[];
}

function ledgerRows(items: Transaction[]): LedgerRow[] {
  const rows: LedgerRow[] = [];
  for (const t of items) {
    const last = rows.at(-1);
    if (t.type === "PENALTY" && last?.type === "PENALTY") {
      last.to = t.on;
      last.amount = addMoney(last.amount, t.amount);
      last.journals.push(t);
      continue;
    }
    rows.push({
      key: t.id,
      type: t.type,
      from: t.on,
      to: t.on,
      amount: t.amount,
      allocation: t.allocation,
      journals: [t],
    });
  }
  return rows;
}

const PAYMENTS = new Set(["REPAYMENT", "PREPAYMENT", "PAYOFF"]);

function allocationText(r: LedgerRow): string {
  const al = r.allocation;
  const parts = al
    ? (["principal", "interest", "penalty"] as const)
        .filter((k) => !isZero(al[k]))
        .map((k) => `${k} ${fmtMoney(al[k])}`)
    : [];
  // A payment that paid nothing yet waits in the client's funds for the next due date (LIFECYCLE §2.5).
  if (parts.length === 0 && PAYMENTS.has(r.type)) return "held as unapplied funds";
  return parts.join(", ");
}

function Entries({ journals }: { journals: Transaction[] }) {
  return (
    <table class="entries">
      <thead>
        <tr>
          {journals.length > 1 && <th scope="col">On</th>}
          <th scope="col">Account</th>
          <th scope="col" class="num">
            Debit
          </th>
          <th scope="col" class="num">
            Credit
          </th>
        </tr>
      </thead>
      <tbody>
        {journals.flatMap((j) =>
          j.entries.map((e, i) => (
            <tr key={`${j.id}-${i}`}>
              {journals.length > 1 && <td>{i === 0 ? j.on : ""}</td>}
              <td>
                <code>{e.account}</code>
              </td>
              <td class="num">{isZero(e.debit) ? "" : fmtMoney(e.debit)}</td>
              <td class="num">{isZero(e.credit) ? "" : fmtMoney(e.credit)}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
}

/** PE's double-entry ledger, oldest first; each row opens to its debit and credit entries. */
export function LedgerPanel({ tx }: { tx: Loaded<Page<Transaction> | null> }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (k: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n;
    });
  return (
    <Panel title="Product Engine: ledger" id="ledger">
      <Maybe what="the ledger" loaded={tx}>
        {(p) =>
          p.items.length === 0 ? (
            <Empty>No transaction yet: the ledger starts with the disbursement.</Empty>
          ) : (
            <div class="scroll">
              <table class="list ledger">
                <thead>
                  <tr>
                    <th scope="col">On</th>
                    <th scope="col">Type</th>
                    <th scope="col" class="num">
                      Amount
                    </th>
                    <th scope="col">Allocation</th>
                    <th scope="col">
                      <span class="sr-only">Entries</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {ledgerRows(p.items).map((r) => {
                    const isOpen = open.has(r.key);
                    const n = r.journals.length;
                    return (
                      <Fragment key={r.key}>
                        <tr data-tx={r.type} data-payment-id={r.journals[0]!.paymentId ?? undefined}>
                          <td>{r.from === r.to ? r.from : `${r.from} … ${r.to}`}</td>
                          <td>
                            {TRANSACTION_TYPES[r.type] ?? r.type}
                            {n > 1 && <span class="muted"> ({n} days)</span>}
                          </td>
                          <td class="num">{fmtMoney(r.amount)}</td>
                          <td class="muted">{allocationText(r)}</td>
                          <td>
                            <button type="button" class="link" aria-expanded={isOpen} onClick={() => toggle(r.key)}>
                              {isOpen ? "Hide entries" : "Entries"}
                            </button>
                          </td>
                        </tr>
                        {isOpen && (
                          <tr class="entries-row">
                            <td colSpan={5}>
                              <Entries journals={r.journals} />
                            </td>
                          </tr>
                        )}
                      </Fragment>
                    );
                  })}
                </tbody>
              </table>
              {p.nextCursor && (
                <p class="muted">
                  Later journals are not shown here: GET /agreements/{"{"}id{"}"}/transactions pages through them.
                </p>
              )}
            </div>
          )
        }
      </Maybe>
    </Panel>
  );
}

export function TracePanel({ trail }: { trail: Loaded<Array<[string, OutboxMessage[] | null]>> }) {
  const ids = new Set(trail.data?.flatMap(([, m]) => m?.map((x) => x.requestId) ?? []).filter(Boolean));
  return (
    <Panel title="Request ids and messages" id="trace">
      {trail.error !== undefined && trail.error !== null && (
        <ErrorBox error={trail.error} title="The messages need the admin token" />
      )}
      {trail.data && (
        <>
          <p>
            {ids.size === 0
              ? "No request id recorded."
              : [...ids].map((id) => (
                  <code key={id} class="reqid" data-request-id={id}>
                    {id}
                  </code>
                ))}
          </p>
          <p class="muted">Every log line of this loan carries one of these: pnpm start | grep '"requestId":"…"'.</p>
          <ul class="plain small">
            {trail.data.flatMap(([service, msgs]) =>
              (msgs ?? []).map((m) => (
                <li key={`${service}-${m.id}`}>
                  <strong>{service}</strong> {m.topic} →{" "}
                  {m.deliveries
                    .map(
                      (d) =>
                        `${d.destination} ${d.deliveredAt ? "delivered" : d.deadAt ? "DEAD" : `pending (${d.attempts} attempts)`}`,
                    )
                    .join(", ") || "no route yet"}
                </li>
              )),
            )}
          </ul>
        </>
      )}
    </Panel>
  );
}
