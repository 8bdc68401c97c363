import { useState } from "preact/hooks";
import { SERVICES, type Service } from "../api.ts";
import { type AuditEntry, type AuditFilter, readAudit, summaryText } from "../audit.ts";
import { Empty, ErrorBox, Maybe, Panel, useLoad } from "../components.tsx";
import { fmtTime } from "../format.ts";

/** The audit rows, newest first: who did what to which target, and how it ended. */
export function AuditTable({ items, service }: { items: AuditEntry[]; service?: boolean }) {
  return (
    <div class="scroll">
      <table class="list audit">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Operator</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">What changed</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id} data-audit-action={e.action} data-outcome={e.outcome}>
              <td>{fmtTime(e.at)}</td>
              <td>
                {e.operator} {e.role && <span class="role">{e.role}</span>}
              </td>
              <td>
                <code>{e.action}</code>
                {service && e.requestId && (
                  <small class="muted block" title="every log line of the request carries it">
                    request {e.requestId}
                  </small>
                )}
              </td>
              <td>{e.target ? <code>{e.target}</code> : "—"}</td>
              <td class={e.outcome === "ALLOWED" ? "" : "bad"}>
                {e.outcome}
                {e.status !== null && <small class="muted"> {e.status}</small>}
                {e.errorCode && <small> {e.errorCode}</small>}
              </td>
              <td class="small">{summaryText(e.summary)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FilterForm({ onApply }: { onApply: (s: Service, f: AuditFilter) => void }) {
  const [service, setService] = useState<Service>("pe");
  const [f, setF] = useState<AuditFilter>({});
  const field = (k: keyof AuditFilter, label: string, hint: string) => (
    <p class="field">
      <label for={`audit-${k}`}>{label}</label>
      <input
        id={`audit-${k}`}
        type="text"
        placeholder={hint}
        value={f[k] ?? ""}
        onInput={(e) => setF({ ...f, [k]: e.currentTarget.value })}
      />
    </p>
  );
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(service, f);
      }}
    >
      <p class="field">
        <label for="audit-service">Service</label>
        <select id="audit-service" value={service} onChange={(e) => setService(e.currentTarget.value as Service)}>
          {SERVICES.map((s) => (
            <option key={s.name} value={s.name}>
              {s.title}
            </option>
          ))}
        </select>
      </p>
      {field("operator", "Operator", "a name")}
      {field("action", "Action", "e.g. agreement.disburse")}
      {field("target", "Target", "e.g. agreement:<id>")}
      <button type="submit">Filter</button>
    </form>
  );
}

/** The rows read so far and the cursor of the next page: "More" appends, a new filter starts again. */
function useAuditList() {
  const [query, setQuery] = useState<{ service: Service; filter: AuditFilter }>({ service: "pe", filter: {} });
  const [more, setMore] = useState<{ items: AuditEntry[]; nextCursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const first = useLoad(() => readAudit(query.service, query.filter, null), [query]);
  const apply = (service: Service, filter: AuditFilter) => {
    setMore(null);
    setQuery({ service, filter });
  };
  const cursor = more ? more.nextCursor : (first.data?.nextCursor ?? null);
  const loadMore = async () => {
    setMoreError(null);
    try {
      const page = await readAudit(query.service, query.filter, cursor);
      if (page) setMore({ items: [...(more?.items ?? []), ...page.items], nextCursor: page.nextCursor });
    } catch (err) {
      setMoreError(err);
    }
  };
  return { first, more, moreError, apply, cursor, loadMore };
}

/** Every operator action a service recorded, allowed or refused, newest first, by operator, action or target. */
export function AuditPage() {
  const { first, more, moreError, apply, cursor, loadMore } = useAuditList();
  return (
    <div class="page">
      <h1>Audit</h1>
      <Panel title="Operator actions, newest first" id="audit">
        <FilterForm onApply={apply} />
        <Maybe what="an audit trail" loaded={first}>
          {(page) =>
            page.items.length === 0 ? (
              <Empty>No action recorded for this filter.</Empty>
            ) : (
              <>
                <AuditTable items={[...page.items, ...(more?.items ?? [])]} service />
                <ErrorBox error={moreError} title="The next page could not be read" />
                {cursor && (
                  <button type="button" onClick={loadMore}>
                    More
                  </button>
                )}
              </>
            )
          }
        </Maybe>
      </Panel>
    </div>
  );
}

/** A loan's own trail (target `agreement:<id>`) from every service that has one, merged newest first. */
export function LoanAuditPanel({ id }: { id: string }) {
  const trail = useLoad(
    async () => {
      const pages = await Promise.all(SERVICES.map((s) => readAudit(s.name, { target: `agreement:${id}` }, null, 50)));
      if (pages.every((p) => p === null)) return null;
      return pages.flatMap((p) => p?.items ?? []).sort((a, b) => b.at.localeCompare(a.at));
      // Polled: an action taken on the page shows up in its trail without a reload.
    },
    [id],
    4000,
  );
  return (
    <Panel title="Audit trail" id="audit-trail">
      <Maybe what="an audit trail" loaded={trail}>
        {(items) =>
          items.length === 0 ? <Empty>No operator action on this loan yet.</Empty> : <AuditTable items={items} />
        }
      </Maybe>
    </Panel>
  );
}
