import { useState } from "preact/hooks";
import { api, optional } from "../api.ts";
import { ConfirmAction, Empty, Maybe, Panel, useLoad } from "../components.tsx";
import { fmtTime } from "../format.ts";
import { ROLES } from "../roles.ts";
import type { Role } from "../types.ts";

/** The operator registry's answers (`/admin/operators`, one registry behind every service). */
interface TokenRecord {
  id: string;
  /** The token's prefix and last four characters: enough to tell tokens apart, never the secret. */
  display: string;
  createdAt: string;
  revokedAt: string | null;
}
interface OperatorRecord {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  tokens: TokenRecord[];
}
interface Issued extends TokenRecord {
  token: string;
}

/** A token as issued: shown this once, with the advice to keep it; the registry keeps only its hash. */
const ShownOnce = ({ issued, who }: { issued: Issued; who: string }) => (
  <div class="result">
    <p>
      The token of {who}, shown <strong>once</strong>: give it to them now, it cannot be read again.
    </p>
    <p>
      <code data-issued-token>{issued.token}</code>
    </p>
  </div>
);

function AddOperator({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const fields = (
    <>
      <p class="field">
        <label for="op-name">Name</label>
        <input id="op-name" type="text" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </p>
      <p class="field">
        <label for="op-role">Role</label>
        <select id="op-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </p>
    </>
  );
  return (
    <ConfirmAction
      label="Add an operator"
      question={<p>A named operator with one role, and a first token for them.</p>}
      fields={fields}
      confirmLabel="Add"
      onDone={onDone}
      act={async () => {
        const r = await api<{ operator: OperatorRecord; token: Issued }>("pe", "/admin/operators", {
          method: "POST",
          body: { name: name.trim(), role },
        });
        return <ShownOnce issued={r.token} who={r.operator.name} />;
      }}
    />
  );
}

function Tokens({ op, onDone }: { op: OperatorRecord; onDone: () => void }) {
  const live = op.tokens.filter((t) => !t.revokedAt);
  return (
    <ul class="plain">
      {live.map((t) => (
        <li key={t.id} data-token={t.id}>
          <code>{t.display}</code> <span class="muted small">since {fmtTime(t.createdAt)}</span>{" "}
          <ConfirmAction
            label="Revoke"
            question={
              <p>
                Token <code>{t.display}</code> of {op.name} stops working on every service within seconds.
              </p>
            }
            confirmLabel="Revoke the token"
            onDone={onDone}
            act={async () => {
              await api("pe", `/admin/operators/${op.id}/tokens/${t.id}`, { method: "DELETE" });
              return undefined;
            }}
          />
        </li>
      ))}
      {live.length === 0 && <li class="muted">no live token</li>}
    </ul>
  );
}

function OperatorRow({ op, onDone }: { op: OperatorRecord; onDone: () => void }) {
  return (
    <tr data-operator={op.name}>
      <td>{op.name}</td>
      <td>
        <span class="role">{op.role}</span>
      </td>
      <td>
        <Tokens op={op} onDone={onDone} />
      </td>
      <td>
        <ConfirmAction
          label="New token"
          question={<p>Another token for {op.name}; the ones they have keep working.</p>}
          confirmLabel="Issue"
          onDone={onDone}
          act={async () => {
            const r = await api<{ token: Issued }>("pe", `/admin/operators/${op.id}/tokens`, { method: "POST" });
            return <ShownOnce issued={r.token} who={op.name} />;
          }}
        />
      </td>
    </tr>
  );
}

/** The admin's page: every operator with their role and live tokens; add one, issue or revoke a token. */
export function OperatorsPage() {
  const list = useLoad(() => optional<{ items: OperatorRecord[] }>("pe", "/admin/operators"), []);
  return (
    <div class="page">
      <h1>Operators</h1>
      <Panel title="Operators and their tokens" id="operators" actions={<AddOperator onDone={list.reload} />}>
        <Maybe what="an operator registry" loaded={list}>
          {({ items }) =>
            items.length === 0 ? (
              <Empty>No operator yet: only the admin token.</Empty>
            ) : (
              <table class="list">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Live tokens</th>
                    <th scope="col">Issue</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((op) => (
                    <OperatorRow key={op.id} op={op} onDone={list.reload} />
                  ))}
                </tbody>
              </table>
            )
          }
        </Maybe>
      </Panel>
    </div>
  );
}
