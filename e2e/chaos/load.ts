import { randomUUID } from "node:crypto";
import { agreementBody, makeClients, random } from "../kit/requests.ts";

export interface LoadCounters {
  /** Agreements PE confirmed (201, first or replayed with the same Idempotency-Key). */
  created: number;
  /** Requests that failed and were sent again with the same key. */
  retries: number;
  /** Agreements given up on after every retry failed. */
  abandoned: number;
  /** Confirmations that were replays: the first attempt had committed but its answer was lost. */
  replays: number;
  /** Withdrawals PE confirmed (200), and those it refused because the agreement was already REJECTED. */
  withdrawn: number;
  withdrawRefused: number;
}

/**
 * Creates agreements as a careful client would: each with its own Idempotency-Key, retried with the same
 * key until PE confirms it. A service killed mid-request then yields neither a lost nor a double agreement.
 */
export function runLoad(opts: {
  peUrls: () => string[];
  count: number;
  concurrency: number;
  /** Agreements started per second at most. */
  rate: number;
  /** Share of agreements the client withdraws, at a random moment within two seconds of creating it. */
  withdraw: number;
  seed: number;
  until: number;
}) {
  const startedAt = Date.now();
  const rnd = random(opts.seed);
  const clients = makeClients(Math.max(1, Math.ceil(opts.count / 3)), rnd, `C${opts.seed}X`);
  const counters: LoadCounters = { created: 0, retries: 0, abandoned: 0, replays: 0, withdrawn: 0, withdrawRefused: 0 };
  const confirmed = new Set<string>();
  const withdrawn = new Set<string>();
  const withdrawals: Promise<void>[] = [];

  // Withdrawing is idempotent, so a failed attempt is simply sent again.
  const withdrawLater = async (id: string, afterMs: number) => {
    await new Promise((res) => setTimeout(res, afterMs));
    for (let attempt = 0; attempt < 600; attempt++) {
      const urls = opts.peUrls();
      try {
        const r = await fetch(`${urls[attempt % urls.length]}/agreements/${id}/withdraw`, {
          method: "POST",
          signal: AbortSignal.timeout(10_000),
        });
        if (r.status === 200) {
          withdrawn.add(id);
          counters.withdrawn++;
          return;
        }
        if (r.status === 409) {
          counters.withdrawRefused++;
          return;
        }
      } catch {
        // the service is down or the answer was lost: again
      }
      counters.retries++;
      await new Promise((res) => setTimeout(res, 100));
    }
    counters.abandoned++;
  };
  let next = 0;
  const one = async () => {
    const body = agreementBody(clients[Math.floor(rnd() * clients.length)]!, rnd);
    const key = randomUUID();
    for (let attempt = 0; attempt < 600; attempt++) {
      const urls = opts.peUrls();
      const url = urls[(next + attempt) % urls.length]!;
      try {
        const r = await fetch(`${url}/agreements`, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": key },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        const json = (await r.json()) as { id?: string };
        if (r.status === 201 && json.id) {
          if (r.headers.get("idempotent-replayed") === "true") counters.replays++;
          confirmed.add(json.id);
          counters.created++;
          if (rnd() < opts.withdraw) withdrawals.push(withdrawLater(json.id, rnd() * 2_000));
          return;
        }
        // 409 IDEMPOTENCY_KEY_IN_USE: an earlier attempt is still running; retried like a failure.
        const inUse =
          r.status === 409 && (json as { error?: { code?: string } }).error?.code === "IDEMPOTENCY_KEY_IN_USE";
        if (r.status < 500 && !inUse)
          throw new Error(`PE refused a valid request: ${r.status} ${JSON.stringify(json)}`);
      } catch (err) {
        if ((err as Error).message.startsWith("PE refused")) throw err;
      }
      counters.retries++;
      await new Promise((res) => setTimeout(res, 100));
    }
    counters.abandoned++;
  };
  const lane = async () => {
    while (next < opts.count && Date.now() < opts.until) {
      const slot = startedAt + (next * 1000) / opts.rate;
      next++;
      if (slot > Date.now()) await new Promise((res) => setTimeout(res, slot - Date.now()));
      await one();
    }
  };
  const done = Promise.all(Array.from({ length: opts.concurrency }, lane))
    .then(() => Promise.all(withdrawals))
    .then(() => counters);
  return { done, counters, confirmed, withdrawn, sent: () => next };
}
