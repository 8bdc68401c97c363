import { Empty, ErrorBox, type Loaded, Maybe, Panel, Status } from "../components.tsx";
import { BUCKETS, fmtMoney, fmtTime, isZero, REASONS } from "../format.ts";
import type { Agreement, Application, OutboxMessage } from "../types.ts";

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
