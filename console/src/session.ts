import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { ApiError, api } from "./api.ts";
import { type Action, can } from "./roles.ts";
import type { Operator, Role } from "./types.ts";

/** Who uses the console: an operator (the admin token is the bootstrap admin), or a client's API key. */
export type Session = { kind: "operator"; operator: Operator } | { kind: "apiKey" };

/**
 * Asks PE who the key belongs to (`GET /admin/me`). Refused (401/403), or a service without the endpoint
 * (404): a client API key, which sees the pipeline and loans but no operator page and no action.
 */
export async function whoAmI(): Promise<Session> {
  try {
    const r = await api<{ operator: Operator }>("pe", "/admin/me");
    return { kind: "operator", operator: r.operator };
  } catch (err) {
    if (err instanceof ApiError && [401, 403, 404].includes(err.status)) return { kind: "apiKey" };
    throw err;
  }
}

const SessionContext = createContext<Session>({ kind: "apiKey" });
export const SessionProvider = SessionContext.Provider;

export const useSession = () => useContext(SessionContext);

export function useRole(): Role | null {
  const s = useSession();
  return s.kind === "operator" ? s.operator.role : null;
}

/** `can(action)` for whoever is signed in: what decides whether a button is rendered at all. */
export function useCan(): (action: Action) => boolean {
  const role = useRole();
  return (action) => can(role, action);
}
