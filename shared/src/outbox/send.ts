import { Agent } from "undici";
import { z } from "zod";
import { newRequestId } from "../context.ts";
import { signRequest } from "../http/service-auth.ts";
import type { ClaimedMessage } from "./claim.ts";
import type { ItemOutcome } from "./types.ts";

export interface SenderOptions {
  secret: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  clock?: () => number;
  /** Keep-alive connections per origin; a few suffice, as each carries a whole batch. */
  connections?: number;
}

/** Outcome per message id; a message the answer did not cover has none. */
export type Outcomes = Map<string, ItemOutcome>;

export interface Sender {
  /** Posts one batch; never throws: a failed request fails every item with the same reason. */
  send(url: string, messages: readonly ClaimedMessage[]): Promise<Outcomes>;
  close(): Promise<void>;
}

/** The sender a relay (or the pg-boss baseline) uses, sized and timed by the relay's options. */
export function relaySender(
  deps: { secret: string; clock?: () => number },
  o: { connectTimeoutMs: number; requestTimeoutMs: number; concurrency: number },
): Sender {
  return createSender({
    secret: deps.secret,
    connectTimeoutMs: o.connectTimeoutMs,
    requestTimeoutMs: o.requestTimeoutMs,
    clock: deps.clock,
    connections: o.concurrency * 2,
  });
}

export function createSender(opts: SenderOptions): Sender {
  const clock = opts.clock ?? Date.now;
  const agent = new Agent({
    connect: { timeout: opts.connectTimeoutMs },
    headersTimeout: opts.requestTimeoutMs,
    bodyTimeout: opts.requestTimeoutMs,
    connections: opts.connections ?? 8,
    keepAliveTimeout: 10_000,
  });
  return {
    async send(url, messages) {
      const body = wireBody(messages);
      const target = new URL(url);
      try {
        const res = await agent.request({
          origin: target.origin,
          path: target.pathname + target.search,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-request-id": batchRequestId(messages),
            ...signRequest(opts.secret, { method: "POST", path: target.pathname, body }, clock()),
          },
          body,
          // headersTimeout and bodyTimeout each bound one wait; this bounds the whole exchange.
          signal: AbortSignal.timeout(opts.connectTimeoutMs + opts.requestTimeoutMs),
        });
        const text = await res.body.text();
        if (res.statusCode !== 200) return failAll(messages, `HTTP ${res.statusCode}: ${snippet(text)}`);
        return readBatchResponse(text, messages);
      } catch (err) {
        return failAll(messages, `request failed: ${describe(err)}`);
      }
    },
    close: () => agent.close(),
  };
}

/**
 * The batch request's `X-Request-Id`: the messages' own id when they all came from one request, so the
 * receiver's request log line carries it too; a new id for a mixed batch, whose messages each carry
 * theirs in the body.
 */
export function batchRequestId(messages: readonly ClaimedMessage[]): string {
  const first = messages[0]?.requestId;
  return first && messages.every((m) => m.requestId === first) ? first : newRequestId();
}

/**
 * The request body `{"messages":[WireMessage...]}`, built as text so each payload goes out exactly as
 * stored, without a parse and re-serialise per message.
 */
export function wireBody(messages: readonly ClaimedMessage[]): string {
  const items = messages.map(
    (m) =>
      `{"id":${JSON.stringify(m.id)},"topic":${JSON.stringify(m.topic)},"aggregateId":${JSON.stringify(m.aggregateId)},` +
      `"payload":${m.payloadJson},"createdAt":"${m.createdAt.toISOString()}"` +
      `${m.requestId ? `,"requestId":${JSON.stringify(m.requestId)}` : ""}}`,
  );
  return `{"messages":[${items.join(",")}]}`;
}

const itemError = z.object({ code: z.string(), message: z.string() });
const item = z.discriminatedUnion("outcome", [
  z.object({ id: z.string(), outcome: z.literal("ok"), result: z.unknown().optional() }),
  z.object({ id: z.string(), outcome: z.literal("rejected"), error: itemError }),
  z.object({ id: z.string(), outcome: z.literal("retry"), error: itemError }),
]);
const response = z.object({ results: z.array(z.unknown()) });

/**
 * Reads a `BatchResponse` item by item. A body that is not one fails the whole batch; an item that is
 * malformed, or missing, or about a message we did not send, fails only that message.
 */
export function readBatchResponse(text: string, messages: readonly ClaimedMessage[]): Outcomes {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return failAll(messages, `answer is not JSON: ${snippet(text)}`);
  }
  const envelope = response.safeParse(parsed);
  if (!envelope.success) return failAll(messages, `answer is not a batch response: ${snippet(text)}`);
  const sent = new Set(messages.map((m) => m.id));
  const outcomes: Outcomes = new Map();
  for (const raw of envelope.data.results) {
    const r = item.safeParse(raw);
    if (!r.success || !sent.has(r.data.id) || outcomes.has(r.data.id)) continue;
    const { id, ...outcome } = r.data;
    outcomes.set(id, outcome as ItemOutcome);
  }
  for (const m of messages) {
    if (!outcomes.has(m.id)) {
      outcomes.set(m.id, { outcome: "retry", error: { code: "NO_ANSWER", message: "the answer has no valid item" } });
    }
  }
  return outcomes;
}

// Whatever went wrong with the exchange, the peer may still answer next time: every item is a retry.
function failAll(messages: readonly ClaimedMessage[], message: string): Outcomes {
  return new Map(messages.map((m) => [m.id, { outcome: "retry", error: { code: "DELIVERY_FAILED", message } }]));
}

const snippet = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text).replace(/\s+/g, " ");

function describe(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: unknown };
  const cause = e?.cause ? ` (${describe(e.cause)})` : "";
  return `${e?.code ?? e?.name ?? "Error"}: ${e?.message ?? String(err)}${cause}`;
}
