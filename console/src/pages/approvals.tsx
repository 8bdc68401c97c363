import { ApiError, api, optional, SERVICES, type Service } from "../api.ts";
import { ConfirmAction, Empty, Maybe, Panel, useLoad } from "../components.tsx";
import { fmtTime } from "../format.ts";
import { canDecide } from "../roles.ts";
import { useRole } from "../session.ts";

/** A four-eyes request waiting for a second operator (issue 31). */
interface Approval {
  id: string;
  status: string;
  action: string;
  target: string | null;
  requestedBy: string;
  expiresAt: string;
}

/** The only place that reads `GET /admin/approvals`' items; `requestedBy` may be a name or `{id, name}`. */
function toApproval(raw: Record<string, unknown>): Approval {
  const by = raw.requestedBy as { name?: string } | string | null | undefined;
  return {
    id: String(raw.id),
    status: String(raw.status),
    action: String(raw.action),
    target: raw.target == null ? null : String(raw.target),
    requestedBy: typeof by === "object" && by !== null ? String(by.name ?? "?") : String(by ?? "?"),
    expiresAt: String(raw.expiresAt ?? ""),
  };
}

/** Approving one's own request is the one refusal an operator must understand at once: it says so in words. */
async function decide(service: Service, a: Approval, verdict: "approve" | "reject") {
  try {
    const r = await api<{ approval?: { status?: string } }>(service, `/admin/approvals/${a.id}/${verdict}`, {
      method: "POST",
    });
    return <p data-decided={r?.approval?.status ?? verdict}>Now {r?.approval?.status ?? `${verdict}d`}.</p>;
  } catch (err) {
    if (err instanceof ApiError && err.code === "SAME_OPERATOR")
      throw new ApiError(
        err.status,
        err.code,
        `You asked for this yourself (${a.requestedBy}): another operator must approve it. ${err.message}`,
        err.details,
        err.requestId,
      );
    throw err;
  }
}

function ApprovalRow({ service, a, onDone }: { service: Service; a: Approval; onDone: () => void }) {
  const role = useRole();
  const what = (
    <p>
      <code>{a.action}</code> on <code>{a.target ?? "—"}</code>, asked by {a.requestedBy}.
    </p>
  );
  return (
    <tr data-approval={a.id} data-action={a.action}>
      <td>
        <code>{a.action}</code>
      </td>
      <td>{a.target ? <code>{a.target}</code> : "—"}</td>
      <td>{a.requestedBy}</td>
      <td>{fmtTime(a.expiresAt)}</td>
      <td class="actions">
        {canDecide(role, a.action) && (
          <>
            <ConfirmAction label="Approve" question={what} act={() => decide(service, a, "approve")} onDone={onDone} />
            <ConfirmAction label="Reject" question={what} act={() => decide(service, a, "reject")} onDone={onDone} />
          </>
        )}
      </td>
    </tr>
  );
}

function Pending({ service }: { service: Service }) {
  const list = useLoad(
    async () => {
      const r = await optional<{ items: Array<Record<string, unknown>> }>(service, "/admin/approvals?status=PENDING");
      return r ? r.items.map(toApproval) : null;
    },
    [service],
    5000,
  );
  return (
    <Maybe what="four-eyes approvals" loaded={list}>
      {(items) =>
        items.length === 0 ? (
          <Empty>Nothing waits for approval.</Empty>
        ) : (
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Asked by</th>
                <th scope="col">Expires</th>
                <th scope="col">Decide</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <ApprovalRow key={a.id} service={service} a={a} onDone={list.reload} />
              ))}
            </tbody>
          </table>
        )
      }
    </Maybe>
  );
}

/** Requests held for a second operator, per service; a decision runs (or drops) the action as it was asked. */
export function ApprovalsPage() {
  return (
    <div class="page">
      <h1>Approvals</h1>
      <p class="muted">
        Four eyes: an action marked for it waits here until another operator with the right role approves or rejects it,
        or it expires.
      </p>
      {SERVICES.map((s) => (
        <Panel key={s.name} title={s.title} id={`approvals-${s.name}`}>
          <Pending service={s.name} />
        </Panel>
      ))}
    </div>
  );
}
