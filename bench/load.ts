/**
 * The client side of the end-to-end benchmark: offered load (open loop at a fixed rate, or closed loop
 * at a fixed concurrency) against PE's public API, progress once a second, and the figures read back
 * from PE's database afterwards.
 */
import { readFile } from "node:fs/promises";
import { agreementBody, makeClients, random } from "@loans/e2e/kit/requests";
import type { System } from "@loans/e2e/kit/system";

export { type Percentiles, percentiles } from "@loans/e2e/kit/percentiles";

import pg from "pg";
import { Pool } from "undici";

export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const line = (s: string) => process.stderr.write(`${s}\n`);

/** Peak resident memory of each service process, sampled from /proc while a phase runs. */
export function rssSampler(system: System) {
  const procs = [...system.pe, ...system.origination];
  const peak = new Map<string, number>();
  const current = new Map<string, number>();
  const sample = async () => {
    for (const [i, p] of procs.entries()) {
      const pid = p.pid;
      if (!pid) continue;
      const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const key = `${p.name}${procs.filter((q) => q.name === p.name).length > 1 ? `#${i % system.pe.length}` : ""}`;
      current.set(key, kb / 1024);
      peak.set(key, Math.max(peak.get(key) ?? 0, kb / 1024));
    }
  };
  const timer = setInterval(() => void sample(), 500);
  return {
    sample,
    /** "pe 123 MB, origination 98 MB" */
    now: () => [...current].map(([k, mb]) => `${k} ${Math.round(mb)} MB`).join(", "),
    stop: () => {
      clearInterval(timer);
      return Object.fromEntries([...peak].map(([k, mb]) => [k, Math.round(mb)]));
    },
  };
}

/** Request bodies with a new client each (unique passports), generated in chunks as needed. */
function bodies(tag: string, seed: number) {
  const rnd = random(seed);
  let chunk: string[] = [];
  let chunkNo = 0;
  return () => {
    if (chunk.length === 0) {
      chunk = makeClients(1000, rnd, `${tag}C${chunkNo++}X`).map((c) => JSON.stringify(agreementBody(c, rnd)));
      chunk.reverse();
    }
    return chunk.pop()!;
  };
}

export interface Sent {
  id: string;
  /** Epoch ms with a fraction, just before the request went out. */
  at: number;
  responseMs: number;
}

export interface LoadResult {
  sent: Sent[];
  errors: number;
  firstError?: string;
  seconds: number;
}

/** Sends POST /agreements, open loop (`rate`/s) or closed loop (`concurrency` back to back), for `seconds`. */
export async function offerLoad(opts: {
  system: System;
  label: string;
  tag: string;
  seconds: number;
  rate?: number;
  concurrency?: number;
  progress: (elapsed: number, sent: number, errors: number) => Promise<string>;
}): Promise<LoadResult> {
  const urls = opts.system.pe.map((p) => p.url);
  const pools = urls.map((u) => new Pool(u, { connections: Math.max(8, opts.concurrency ?? 16) }));
  const next = bodies(opts.tag, opts.tag.length * 7919 + opts.seconds);
  const sent: Sent[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let k = 0;
  const post = async () => {
    const pool = pools[k++ % pools.length]!;
    const body = next();
    const at = now();
    try {
      const res = await pool.request({
        path: "/agreements",
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const text = await res.body.text();
      if (res.statusCode !== 201) {
        errors++;
        firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
        return;
      }
      sent.push({ id: (JSON.parse(text) as { id: string }).id, at, responseMs: now() - at });
    } catch (err) {
      errors++;
      firstError ??= String(err);
    }
  };
  const start = now();
  const end = start + opts.seconds * 1000;
  const ticker = setInterval(async () => {
    const elapsed = Math.round((now() - start) / 1000);
    line(`[${opts.label}] ${String(elapsed).padStart(3)} s  ${await opts.progress(elapsed, sent.length, errors)}`);
  }, 1000);
  try {
    if (opts.rate) {
      const gap = 1000 / opts.rate;
      const inFlight = new Set<Promise<void>>();
      for (let i = 0; ; i++) {
        const due = start + i * gap;
        if (due >= end) break;
        const wait = due - now();
        if (wait > 0) await sleep(wait);
        const p = post().finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.all(inFlight);
    } else {
      const lane = async () => {
        while (now() < end) await post();
      };
      await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, lane));
    }
  } finally {
    clearInterval(ticker);
    await Promise.all(pools.map((p) => p.close()));
  }
  return { sent, errors, firstError, seconds: (now() - start) / 1000 };
}

/** Counts on PE's database: agreements created and decided since the phase began. */
export function peCounter(peDatabaseUrl: string) {
  const pool = new pg.Pool({ connectionString: peDatabaseUrl, max: 1 });
  return {
    async decided(): Promise<number> {
      const { rows } = await pool.query<{ n: number }>(
        "select count(*)::int as n from agreements where status in ('APPROVED', 'REJECTED')",
      );
      return rows[0]!.n;
    },
    async pendingOutbox(): Promise<number> {
      const { rows } = await pool.query<{ n: number }>(
        "select count(*)::int as n from outbox where delivered_at is null and dead_at is null",
      );
      return rows[0]!.n;
    },
    /** End-to-end latency per agreement: PE applied the decision (history row) minus the client's send time. */
    async latencies(sent: Sent[]) {
      const at = new Map(sent.map((s) => [s.id, s.at]));
      const { rows } = await pool.query<{ id: string; applied: number; decided: number }>(
        `select a.id, extract(epoch from h.at) * 1000 as applied, extract(epoch from a.decided_at) * 1000 as decided
         from agreements a join agreement_status_history h on h.agreement_id = a.id and h.status = a.status
         where a.id = any($1::uuid[]) and a.status in ('APPROVED', 'REJECTED')`,
        [sent.map((s) => s.id)],
      );
      return {
        endToEnd: rows.map((r) => Number(r.applied) - at.get(r.id)!),
        toOriginationDecision: rows.map((r) => Number(r.decided) - at.get(r.id)!),
        missing: sent.length - rows.length,
      };
    },
    close: () => pool.end(),
  };
}

/** Waits until every agreement sent is decided in PE; resolves to the seconds it took. */
export async function settle(counter: ReturnType<typeof peCounter>, total: number, label: string, timeoutMs = 180_000) {
  const start = now();
  for (;;) {
    const decided = await counter.decided();
    if (decided >= total) return (now() - start) / 1000;
    if (now() - start > timeoutMs)
      throw new Error(`${label}: ${total - decided} agreements undecided after ${timeoutMs} ms`);
    await sleep(50);
  }
}
