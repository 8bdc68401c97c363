/**
 * Calls to the services through the console server's `/api/<service>/…`. The operator's key (or the admin
 * token, which every service also takes as a key) is kept for the browser session only and sent as
 * `Authorization: Bearer`, as the services' API-key guard expects (shared/src/http/api-keys.ts).
 */
export type Service = "pe" | "origination" | "gateway";
export const SERVICES: ReadonlyArray<{ name: Service; title: string }> = [
  { name: "pe", title: "Product Engine" },
  { name: "origination", title: "Origination" },
  { name: "gateway", title: "Payment Gateway" },
];

const TOKEN = "loans.console.token";

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN),
  set: (t: string) => sessionStorage.setItem(TOKEN, t),
  clear: () => sessionStorage.removeItem(TOKEN),
};

export interface ErrorDetail {
  path?: string;
  message: string;
}

/** An answer that was not 2xx, in the services' error model: `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly requestId: string | null = null,
  ) {
    super(message);
  }
}

const listeners = new Set<() => void>();
/** Called when a service answers 401: the console asks for a key again. */
export const onUnauthorized = (f: () => void) => {
  listeners.add(f);
  return () => void listeners.delete(f);
};

export interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A new request id for an action, to find its log lines with `grep '"requestId":"…"'`. */
export const newRequestId = () => `console-${crypto.randomUUID().slice(0, 8)}`;

export async function api<T>(service: Service, path: string, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  let r: Response;
  try {
    r = await fetch(`/api/${service}${path}`, {
      method: opts.method ?? "GET",
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch (err) {
    throw new ApiError(0, "NETWORK", `the console server did not answer: ${(err as Error).message}`);
  }
  const requestId = r.headers.get("x-request-id");
  const text = await r.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!r.ok) {
    const e = (body as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | null)?.error;
    // An admin endpoint refusing a plain API key is not a reason to ask for a key again.
    if (r.status === 401 && !path.startsWith("/admin")) for (const f of listeners) f();
    throw new ApiError(
      r.status,
      e?.code ?? `HTTP_${r.status}`,
      e?.message ?? (text.slice(0, 200) || r.statusText),
      e?.details ?? [],
      requestId,
    );
  }
  return body as T;
}

/** Like `api`, but a 404 (an endpoint this build of the service does not have yet) answers null. */
export async function optional<T>(service: Service, path: string): Promise<T | null> {
  try {
    return await api<T>(service, path);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return null;
    throw err;
  }
}
