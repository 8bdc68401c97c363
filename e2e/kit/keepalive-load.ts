import { Agent, request } from "undici";

/**
 * What became of one request, as a client can tell: `answered` (any answer but a refusal), `refused`
 * (ECONNREFUSED, or a 503: nothing was done), `cut` (the connection reset or closed under a request sent,
 * or an answer broken off: the client cannot tell whether it was done), `other` (anything else, named).
 */
export type Outcome = "answered" | "refused" | "cut" | "other";

export interface Tally {
  answered: number;
  refused: number;
  cut: number;
  other: number;
  /** Answers that carried `Connection: close`: the drain at work. */
  closeAnswers: number;
  /** Each cut or other failure, named (`ECONNRESET on POST pe /agreements`), for the failure message. */
  failures: string[];
}

export const emptyTally = (): Tally => ({ answered: 0, refused: 0, cut: 0, other: 0, closeAnswers: 0, failures: [] });

const CUT_CODES = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_ABORTED", "ERR_STREAM_PREMATURE_CLOSE"]);

/** Sorts a failed request's error: a refusal before anything was sent, or a cut. */
export function classifyError(err: unknown): Outcome {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code;
  if (code === "ECONNREFUSED") return "refused";
  if ((code && CUT_CODES.has(code)) || /socket hang up|other side closed|terminated/i.test(e?.message ?? ""))
    return "cut";
  return "other";
}

export interface Call {
  /** Which service, for the failure message. */
  service: string;
  method: "GET" | "POST";
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Told the status and body of an answer (the id of a created agreement, say). */
  onAnswer?: (status: number, body: unknown) => void;
}

/**
 * One request through a keep-alive agent, its answer read whole. Resolves to its outcome, the status
 * (when answered) and the JSON body; never throws.
 */
export async function send(
  agent: Agent,
  call: Call,
  tally: Tally,
): Promise<{ outcome: Outcome; status?: number; retryAfterMs?: number }> {
  let status: number | undefined;
  try {
    const r = await request(call.url, {
      dispatcher: agent,
      method: call.method,
      headers: { ...(call.body !== undefined && { "content-type": "application/json" }), ...call.headers },
      ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
    });
    status = r.statusCode;
    // Read whole: an answer broken off half-way is a cut, not an answer.
    const text = await r.body.text();
    if (r.headers.connection === "close") tally.closeAnswers++;
    const outcome: Outcome = status === 503 ? "refused" : "answered";
    tally[outcome]++;
    call.onAnswer?.(status, text ? JSON.parse(text) : undefined);
    const retryAfter = Number(r.headers["retry-after"]);
    return { outcome, status, ...(retryAfter > 0 && { retryAfterMs: retryAfter * 1_000 }) };
  } catch (err) {
    const outcome = classifyError(err);
    tally[outcome]++;
    if (outcome !== "refused") {
      const e = err as { code?: string; message?: string };
      tally.failures.push(`${e.code ?? e.message} on ${call.method} ${call.service} ${new URL(call.url).pathname}`);
    }
    return { outcome, status };
  }
}

/** A keep-alive client as a browser or an SDK has one: sockets kept between requests, several per origin. */
export const keepAliveAgent = () =>
  new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, connections: 4 });

/**
 * `clients` loops, each with an agent of its own, calling `next(i)` for its next requests until stopped.
 * Each client behaves as a well-behaved HTTP client does: its agent honours `Connection: close`, and after
 * an answer with `Retry-After` (a stopping server's 503) it sends nothing to that service for that long,
 * going on with its calls to the others (RFC 9110 §10.2.3: how long to wait before a follow-up request). A
 * refused connection is followed by a short pause (a client backs off from a service that is down).
 */
export function keepAliveLoad(clients: number, next: (client: number) => Call[]) {
  const tally = emptyTally();
  const agents = Array.from({ length: clients }, keepAliveAgent);
  let stopping = false;
  const loop = async (i: number) => {
    const notBefore = new Map<string, number>();
    while (!stopping) {
      let sent = 0;
      for (const call of next(i)) {
        const origin = new URL(call.url).origin;
        if (Date.now() < (notBefore.get(origin) ?? 0)) continue;
        sent++;
        const r = await send(agents[i]!, call, tally);
        if (r.retryAfterMs) notBefore.set(origin, Date.now() + r.retryAfterMs);
        if (r.outcome !== "answered") await new Promise((res) => setTimeout(res, 20));
      }
      if (sent === 0) await new Promise((res) => setTimeout(res, 20));
    }
  };
  const loops = Promise.all(agents.map((_, i) => loop(i)));
  return {
    tally,
    async stop(): Promise<Tally> {
      stopping = true;
      await loops;
      await Promise.all(agents.map((a) => a.close()));
      return tally;
    },
  };
}
