/** A tiny JSON client for the public APIs, for tests and the chaos runner. */
export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: callers read whatever JSON came back
  body: any;
}

export async function api(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined && { "content-type": "application/json" }), ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}
