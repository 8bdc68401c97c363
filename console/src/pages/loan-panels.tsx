import { Empty, ErrorBox, type Loaded, Loading, Panel, Status } from "../components.tsx";
import { fmtMoney, fmtTime, REASONS } from "../format.ts";
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

export function MoneyPanel(props: { payouts: Loaded<Page<Payout> | null>; payments: Loaded<Page<Payment> | null> }) {
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
              {p.items.map((x) => (
                <li key={x.id} data-payment={x.id}>
                  {fmtMoney(x.amount)} {x.purpose} <Status value={x.status} />{" "}
                  <span class="muted">{fmtTime(x.succeededAt ?? x.createdAt)}</span>
                </li>
              ))}
            </ul>
          )
        }
      </Maybe>
    </Panel>
  );
}

export function SchedulePanel({ a, width }: { a: Agreement; width: number }) {
  const paidCols = a.schedule.some((r) => r.paidPrincipal !== undefined);
  return (
    <Panel title={`Schedule${a.scheduleVersion ? ` (version ${a.scheduleVersion})` : ""}`} id="schedule">
      <p class="muted">
        {a.scheduleAnchoredOn
          ? `Dated from the disbursement on ${a.scheduleAnchoredOn}.`
          : "Indicative: dated from the application until the money is paid out."}
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
                Balance
              </th>
              {paidCols && (
                <th scope="col" class="num">
                  Paid
                </th>
              )}
              {paidCols && (
                <th scope="col" class="num">
                  Penalty
                </th>
              )}
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {a.schedule.map((r) => (
              <tr key={r.period} class={`row-${r.status.toLowerCase()}`}>
                <td>{r.period}</td>
                <td>{r.dueDate}</td>
                <td class="num">{fmtMoney(r.payment)}</td>
                <td class="num">{fmtMoney(r.principal)}</td>
                <td class="num">{fmtMoney(r.interest)}</td>
                <td class="num">{fmtMoney(r.balance)}</td>
                {paidCols && (
                  <td class="num">
                    {fmtMoney(
                      String(Number(r.paidPrincipal ?? 0) + Number(r.paidInterest ?? 0) + Number(r.paidPenalty ?? 0)),
                    )}
                  </td>
                )}
                {paidCols && <td class="num">{fmtMoney(r.penalty)}</td>}
                <td>
                  <Status value={r.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}

export function LedgerPanel({ tx }: { tx: Loaded<Page<Transaction> | null> }) {
  return (
    <Panel title="Ledger" id="ledger">
      <Maybe what="the ledger" loaded={tx}>
        {(p) =>
          p.items.length === 0 ? (
            <Empty>No transaction yet.</Empty>
          ) : (
            <div class="scroll">
              <table class="list">
                <thead>
                  <tr>
                    <th scope="col">On</th>
                    <th scope="col">Type</th>
                    <th scope="col" class="num">
                      Amount
                    </th>
                    <th scope="col">Allocation</th>
                  </tr>
                </thead>
                <tbody>
                  {p.items.map((t, i) => (
                    <tr key={`${t.on}-${t.type}-${i}`}>
                      <td>{t.on}</td>
                      <td>{t.type}</td>
                      <td class="num">{fmtMoney(t.amount)}</td>
                      <td class="muted">
                        {Object.entries(t.allocation ?? {})
                          .filter(([, v]) => Number(v) !== 0)
                          .map(([k, v]) => `${k} ${fmtMoney(v)}`)
                          .join(", ")}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
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
