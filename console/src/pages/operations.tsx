import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api, SERVICES, type Service } from "../api.ts";
import { ConfirmAction, Empty, ErrorBox, Loading, Panel, useLoad } from "../components.tsx";
import { fmtAge, fmtTime, shortId } from "../format.ts";
import { useCan } from "../session.ts";

interface Destination {
  destination: string;
  pending: number;
  due: number;
  retrying: number;
  oldestPendingAgeSeconds: number | null;
  deliveredLastMinute: number;
  deliveredLastHour: number;
  dead: number;
  health: "healthy" | "failing" | "unknown";
  failingSince: string | null;
  lastError: string | null;
}
interface DeadLetter {
  id: string;
  topic: string;
  destination: string | null;
  aggregateId: string;
  attempts: number;
  lastError: string | null;
  deadAt: string;
  requestId: string | null;
}

function Outbox({ service }: { service: Service }) {
  const o = useLoad(() => api<{ destinations: Destination[] }>(service, "/admin/outbox"), [service], 1500);
  if (!o.data) return o.error ? <ErrorBox error={o.error} title="Outbox unavailable" /> : <Loading what="the outbox" />;
  if (o.data.destinations.length === 0) return <Empty>Sends to no one yet.</Empty>;
  return (
    <div class="scroll">
      <ErrorBox error={o.error} title="Could not refresh" />
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Destination</th>
            <th scope="col">Health</th>
            <th scope="col" class="num">
              Backlog
            </th>
            <th scope="col" class="num">
              Oldest pending
            </th>
            <th scope="col" class="num">
              Delivered/min
            </th>
            <th scope="col" class="num">
              Dead
            </th>
          </tr>
        </thead>
        <tbody>
          {o.data.destinations.map((d) => (
            <tr key={d.destination} data-destination={d.destination} data-pending={d.pending} data-health={d.health}>
              <th scope="row">{d.destination}</th>
              <td>
                <span class={`health h-${d.health}`}>{d.health}</span>
                {d.failingSince && (
                  <small class="muted" title={d.lastError ?? ""}>
                    {" "}
                    since {fmtTime(d.failingSince)}: {(d.lastError ?? "").slice(0, 60)}
                  </small>
                )}
              </td>
              <td class="num pending">{d.pending}</td>
              <td class="num">{fmtAge(d.oldestPendingAgeSeconds)}</td>
              <td class="num">{d.deliveredLastMinute}</td>
              <td class={`num ${d.dead > 0 ? "bad" : ""}`}>{d.dead}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface Force {
  force: boolean;
  setForce: (f: boolean) => void;
}

/** Requeues one aggregate's dead messages to one destination; `onNote` says what was requeued. */
function Requeue(props: { service: Service; d: DeadLetter; onDone: () => void; onNote: (n: string) => void } & Force) {
  const { d, force } = props;
  return (
    <ConfirmAction
      label="Requeue"
      question={
        <p>
          Send every dead message of aggregate <code>{shortId(d.aggregateId)}</code> to {d.destination} again, in order,
          ahead of its later messages. Refused if a later one was delivered meanwhile, unless forced.
        </p>
      }
      fields={
        <p class="field">
          <label>
            <input
              type="checkbox"
              checked={force}
              onChange={(e) => props.setForce((e.target as HTMLInputElement).checked)}
            />{" "}
            Force: the receiver takes a late message in its stride
          </label>
        </p>
      }
      confirmLabel="Requeue"
      onDone={props.onDone}
      act={async () => {
        const r = await api<{ requeued: string[] }>(props.service, "/admin/outbox/requeue", {
          method: "POST",
          body: { destination: d.destination, aggregateId: d.aggregateId, force },
        });
        props.onNote(`Requeued message(s) ${r.requeued.join(", ")} of ${d.aggregateId} to ${d.destination}.`);
        return undefined;
      }}
    />
  );
}

function DeadLetterItem({ d, children }: { d: DeadLetter; children: ComponentChildren }) {
  return (
    <li data-dead={d.aggregateId}>
      <div>
        <strong>{d.topic}</strong> → {d.destination ?? "(all)"} · aggregate{" "}
        <code title={d.aggregateId}>{shortId(d.aggregateId)}</code> · {d.attempts} attempts · dead {fmtTime(d.deadAt)}
        {d.requestId && <span class="muted"> · request {d.requestId}</span>}
      </div>
      <pre class="last-error">{d.lastError ?? "(no error recorded)"}</pre>
      {children}
    </li>
  );
}

function DeadLetters({ service }: { service: Service }) {
  const [force, setForce] = useState(false);
  // What the last requeue did: said beside the list, since the requeued letter leaves it.
  const [note, setNote] = useState<string | null>(null);
  const mayRequeue = useCan()("requeue");
  const dead = useLoad(() => api<{ items: DeadLetter[] }>(service, "/admin/outbox/dead?limit=20"), [service], 3000);
  const said = (
    <p class="note" aria-live="polite">
      {note}
    </p>
  );
  if (!dead.data) return dead.error ? <ErrorBox error={dead.error} /> : <Loading what="dead letters" />;
  if (dead.data.items.length === 0)
    return (
      <>
        {said}
        <Empty>No dead letters.</Empty>
      </>
    );
  return (
    <>
      {said}
      <ul class="dead plain">
        {dead.data.items.map((d) => (
          <DeadLetterItem key={`${d.id}-${d.destination}`} d={d}>
            {d.destination && mayRequeue && (
              <Requeue
                service={service}
                d={d}
                force={force}
                setForce={setForce}
                onDone={dead.reload}
                onNote={setNote}
              />
            )}
          </DeadLetterItem>
        ))}
      </ul>
    </>
  );
}

function Queues({ service }: { service: Service }) {
  const q = useLoad(
    () => api<{ queues: Array<{ queue: string; queued: number; active: number }> }>(service, "/admin/queues"),
    [service],
    3000,
  );
  if (!q.data) return q.error ? <ErrorBox error={q.error} /> : <Loading what="queues" />;
  if (q.data.queues.length === 0) return <Empty>No pg-boss queue.</Empty>;
  return (
    <table class="list compact">
      <thead>
        <tr>
          <th scope="col">Queue</th>
          <th scope="col" class="num">
            Queued
          </th>
          <th scope="col" class="num">
            Active
          </th>
        </tr>
      </thead>
      <tbody>
        {q.data.queues.map((x) => (
          <tr key={x.queue}>
            <td>{x.queue}</td>
            <td class="num">{x.queued}</td>
            <td class="num">{x.active}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Per service: its outbox per destination, its dead letters with a requeue, its pg-boss queues. */
export function OperationsPage() {
  return (
    <div class="page">
      <h1>Operations</h1>
      <p class="muted">Refreshed every 1.5 s. These are admin endpoints: they need the admin token when one is set.</p>
      {SERVICES.map((s) => (
        <Panel key={s.name} title={s.title} id={`ops-${s.name}`}>
          <h3>Outbox by destination</h3>
          <Outbox service={s.name} />
          <h3>Dead letters</h3>
          <DeadLetters service={s.name} />
          <h3>pg-boss queues</h3>
          <Queues service={s.name} />
        </Panel>
      ))}
    </div>
  );
}
