import { useState } from "preact/hooks";
import { ApiError, api, token } from "./api.ts";
import { ErrorBox } from "./components.tsx";
import { type Action, can } from "./roles.ts";
import { onLink } from "./router.ts";
import type { Session } from "./session.ts";

/** Whether the services want a key, and whether the one kept for this session is good: one cheap call. */
export async function probe(): Promise<"ok" | "key"> {
  try {
    await api("pe", "/agreements?limit=1");
    return "ok";
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return "key";
    throw err;
  }
}

export function KeyForm({ onDone, refused }: { onDone: () => void; refused: boolean }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    token.set(value.trim());
    try {
      if ((await probe()) === "ok") return onDone();
      token.clear();
      setError(new ApiError(401, "UNAUTHORIZED", "the services did not accept this key or token"));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="keyform panel" onSubmit={submit}>
      <h1>Loans console</h1>
      <p>
        {refused
          ? "The services refused the key of this session."
          : "Sign in with your operator token (op_…) to see the operator pages and act as your role allows, " +
            "or with the admin token; a client's API key shows the pipeline and the loans only."}{" "}
        It is kept in this browser tab only, until it closes.
      </p>
      <label for="key">API key, operator token or admin token</label>
      <input
        id="key"
        type="password"
        autocomplete="off"
        required
        value={value}
        onInput={(e) => setValue((e.target as HTMLInputElement).value)}
      />
      <button type="submit" class="primary">
        Continue
      </button>
      <ErrorBox error={error} title="Not accepted" />
    </form>
  );
}

const NAV = [
  { href: "/", label: "Pipeline", operator: false },
  { href: "/operations", label: "Operations", operator: true },
  { href: "/business-date", label: "Business date", operator: true },
  { href: "/calendar", label: "Calendar", operator: true },
  { href: "/audit", label: "Audit", operator: true },
  { href: "/approvals", label: "Approvals", operator: true },
  { href: "/operators", label: "Operators", operator: true, action: "manageOperators" },
] satisfies Array<{ href: string; label: string; operator: boolean; action?: Action }>;

/** The pages this session may open: an API key sees none of the operator pages, the Operators page is the admin's. */
export const navFor = (s: Session) =>
  NAV.filter((n) => {
    if (!n.operator) return true;
    if (s.kind !== "operator") return false;
    const action: Action | undefined = "action" in n ? n.action : undefined;
    return action === undefined || can(s.operator.role, action);
  });

function Who({ session }: { session: Session }) {
  if (session.kind === "apiKey")
    return (
      <span class="who" data-who="api-key">
        API key
      </span>
    );
  const { name, role } = session.operator;
  return (
    <span class="who" data-who={name} data-role={role} title="signed in as">
      {name} <span class="role">{role}</span>
    </span>
  );
}

export function TopBar(props: { session: Session; current: (href: string) => boolean; onSignOut: () => void }) {
  return (
    <header class="top">
      <a href="/" onClick={onLink} class="brand">
        Loans console
      </a>
      <nav aria-label="Pages">
        {navFor(props.session).map((n) => (
          <a key={n.href} href={n.href} onClick={onLink} aria-current={props.current(n.href) ? "page" : undefined}>
            {n.label}
          </a>
        ))}
      </nav>
      <div class="signed-in">
        <Who session={props.session} />
        {token.get() && (
          <button type="button" class="link" onClick={props.onSignOut}>
            Sign out
          </button>
        )}
      </div>
    </header>
  );
}
