import { setTimeout as sleep } from "node:timers/promises";

/** An answer the client took as final: anything but a network error, a 5xx or 409 IDEMPOTENCY_KEY_IN_USE. */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: callers read whatever JSON came back
  body: any;
  replayed: boolean;
}

export interface ClientCounters {
  /** Requests sent again (same Idempotency-Key when there was one) after a lost request or answer. */
  retries: number;
  /** Answers that were replays: an earlier attempt had committed but its answer was lost. */
  replays: number;
  /** Requests given up on after retrying for `giveUpMs`. */
  abandoned: number;
}

export class GaveUp extends Error {}

/**
 * A careful client's request: sent to one of `urls()` (the instances up now), and sent again — with the
 * same Idempotency-Key — on a network error, a timeout, a 5xx or a 409 IDEMPOTENCY_KEY_IN_USE (an earlier
 * attempt still running), until some other answer comes or `giveUpMs` passes (GaveUp).
 */
export async function send(
  urls: () => string[],
  method: string,
  path: string,
  counters: ClientCounters,
  opts: { body?: unknown; key?: string; giveUpMs?: number } = {},
): Promise<Answer> {
  const until = Date.now() + (opts.giveUpMs ?? 600_000);
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (opts.key) headers["idempotency-key"] = opts.key;
  for (let attempt = 0; ; attempt++) {
    const list = urls();
    const url = list[attempt % Math.max(1, list.length)];
    if (url) {
      try {
        const r = await fetch(`${url}${path}`, {
          method,
          headers,
          ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await r.text();
        const body = text ? JSON.parse(text) : undefined;
        const inUse = r.status === 409 && body?.error?.code === "IDEMPOTENCY_KEY_IN_USE";
        if (r.status < 500 && !inUse) {
          const replayed = r.headers.get("idempotent-replayed") === "true";
          if (replayed) counters.replays++;
          return { status: r.status, body, replayed };
        }
      } catch {
        // the instance is down, the answer was cut, or it was not JSON: again
      }
    }
    if (Date.now() > until) {
      counters.abandoned++;
      throw new GaveUp(`${method} ${path}: no answer within ${opts.giveUpMs ?? 600_000} ms`);
    }
    counters.retries++;
    await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random()));
  }
}
