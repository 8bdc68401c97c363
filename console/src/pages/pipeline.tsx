import { AGREEMENT_STATUSES } from "@loans/contracts/statuses";
import { useState } from "preact/hooks";
import { ApiError, api } from "../api.ts";
import { Empty, ErrorBox, Loading, Panel, Status, useLoad } from "../components.tsx";
import { fmtMoney, fmtTime, maskPassport, shortId } from "../format.ts";
import { navigate, onLink } from "../router.ts";
import type { AgreementSummary, Page } from "../types.ts";

/** PE's agreement statuses, in the order the pipeline counts them. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Filter = { status?: string; clientId?: string; passportEndsWith?: string };

/** Counts per status from PE's `GET /agreements/counts`, polled every 2 s. */
function Counts({ active, pick }: { active?: string; pick: (s?: string) => void }) {
  const counts = useLoad(
    async () => {
      const { counts } = await api<{ counts: Record<string, number> }>("pe", "/agreements/counts");
      return AGREEMENT_STATUSES.map((s) => [s, counts[s] ?? 0] as const);
    },
    [],
    2000,
  );
  return (
    <Panel title="Applications by status" id="counts">
      <ErrorBox error={counts.error} title="Counts unavailable" />
      {!counts.data && counts.loading && <Loading what="counts" />}
      <ul class="tiles" aria-live="polite">
        {counts.data?.map(([s, n]) => (
          <li key={s}>
            <button
              type="button"
              class={`tile s-${s.toLowerCase()}`}
              aria-pressed={active === s}
              data-status={s}
              onClick={() => pick(active === s ? undefined : s)}
            >
              <span class="n" data-count={n}>
                {n}
              </span>
              <span class="label">{s.replaceAll("_", " ")}</span>
            </button>
          </li>
        ))}
      </ul>
    </Panel>
  );
}

function Search({ onFilter }: { onFilter: (f: Filter, label: string) => void }) {
  const [q, setQ] = useState("");
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const term = q.trim();
    if (term === "") return onFilter({}, "");
    if (UUID.test(term)) {
      try {
        await api("pe", `/agreements/${term}`);
        return navigate(`/loans/${term.toLowerCase()}`);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) return setError(err);
      }
      return onFilter({ clientId: term }, `client ${shortId(term)}`);
    }
    if (/^\d{2,4}$/.test(term)) return onFilter({ passportEndsWith: term }, `passport ${maskPassport(term)}`);
    setError(
      new ApiError(0, "SEARCH", "Give an agreement id or a client id (a uuid), or a passport's last 2 to 4 digits."),
    );
  };
  return (
    <form class="search" onSubmit={submit}>
      <label for="search">Agreement id, client id, or the passport's last digits</label>
      <div class="row">
        <input
          id="search"
          type="search"
          value={q}
          placeholder="e.g. 5d1c… or 56"
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Search</button>
      </div>
      <ErrorBox error={error} title="Cannot search for that" />
    </form>
  );
}

/** The list's filter and its pages: a cursor per page read, so "Newer" goes back without asking again. */
function usePipeline() {
  const [filter, setFilter] = useState<Filter>({});
  const [label, setLabel] = useState("");
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors.at(-1) ?? null;
  const query = new URLSearchParams({ limit: "15" });
  for (const [k, v] of Object.entries(filter)) if (v) query.set(k, v);
  if (cursor) query.set("cursor", cursor);
  // The first page follows new applications live; later pages hold still while read.
  const list = useLoad(
    () => api<Page<AgreementSummary>>("pe", `/agreements?${query}`),
    [query.toString()],
    cursor ? undefined : 2000,
  );
  const apply = (f: Filter, l: string) => {
    setFilter(f);
    setLabel(l);
    setCursors([null]);
  };
  const pickStatus = (s?: string) => {
    setFilter((f) => ({ ...f, status: s }));
    setCursors([null]);
  };
  const title = [filter.status && `status ${filter.status}`, label].filter(Boolean).join(", ");
  return { filter, list, cursors, setCursors, apply, pickStatus, title };
}

function AgreementRow({ a }: { a: AgreementSummary }) {
  return (
    <tr data-agreement={a.id}>
      <td>
        <a href={`/loans/${a.id}`} onClick={onLink} title={a.id}>
          <code>{shortId(a.id)}</code>
        </a>
      </td>
      <td>
        <Status value={a.status} />
      </td>
      <td>
        <code title={a.clientId}>{shortId(a.clientId)}</code>
      </td>
      <td class="num">{fmtMoney(a.disbursementAmount)}</td>
      <td class="num">{a.termMonths} mo</td>
      <td>{fmtTime(a.createdAt)}</td>
    </tr>
  );
}

function AgreementTable({ items }: { items: AgreementSummary[] }) {
  return (
    <div class="scroll">
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Agreement</th>
            <th scope="col">Status</th>
            <th scope="col">Client</th>
            <th scope="col" class="num">
              Amount
            </th>
            <th scope="col" class="num">
              Term
            </th>
            <th scope="col">Applied</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <AgreementRow key={a.id} a={a} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Pager(props: { page: number; newer?: () => void; older?: () => void }) {
  return (
    <nav class="pager" aria-label="Pages of applications">
      <button type="button" disabled={!props.newer} onClick={props.newer}>
        ← Newer
      </button>
      <span class="muted">page {props.page}</span>
      <button type="button" disabled={!props.older} onClick={props.older}>
        Older →
      </button>
    </nav>
  );
}

export function PipelinePage() {
  const { filter, list, cursors, setCursors, apply, pickStatus, title } = usePipeline();
  const next = list.data?.nextCursor;
  return (
    <div class="page">
      <h1>Pipeline</h1>
      <Counts active={filter.status} pick={pickStatus} />
      <Panel title={title ? `Applications: ${title}` : "Most recent applications"} id="recent">
        <Search onFilter={apply} />
        {title && (
          <button type="button" class="link" onClick={() => apply({}, "")}>
            Clear the filter
          </button>
        )}
        <ErrorBox error={list.error} title="The list could not be loaded" />
        {!list.data && list.loading && <Loading what="applications" />}
        {list.data && list.data.items.length === 0 && <Empty>No applications{title ? ` for ${title}` : " yet"}.</Empty>}
        {list.data && list.data.items.length > 0 && <AgreementTable items={list.data.items} />}
        <Pager
          page={cursors.length}
          newer={cursors.length < 2 ? undefined : () => setCursors((c) => c.slice(0, -1))}
          older={next ? () => setCursors((c) => [...c, next]) : undefined}
        />
      </Panel>
    </div>
  );
}
