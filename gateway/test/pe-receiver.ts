import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  id: string;
  topic: string;
  aggregateId: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever payload came
  payload: any;
}

/**
 * A stand-in for PE's batch endpoints, over real HTTP: records every message it is sent, in arrival order
 * (repeats included), and answers `ok` the way PE does; `retryFirst` answers `retry` NOT_ACTIVE_YET to the
 * first delivery of a payment of those agreements (PE not knowing PAID yet, LIFECYCLE §3.1 case 11).
 */
export async function startPeReceiver() {
  const received: Received[] = [];
  const retryFirst = new Set<string>();
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      const { messages } = JSON.parse(raw) as { messages: Received[] };
      const results = messages.map((m) => {
        received.push({ id: m.id, topic: m.topic, aggregateId: m.aggregateId, payload: m.payload });
        if (m.topic === "payment.succeeded" && retryFirst.delete(m.aggregateId))
          return { id: m.id, outcome: "retry", error: { code: "NOT_ACTIVE_YET", message: "PE has no PAID yet" } };
        const result =
          m.topic === "payment.succeeded"
            ? { appliedOn: m.payload.succeededAt.slice(0, 10), allocation: { unapplied: m.payload.amount } }
            : { agreementStatus: "ACTIVE" };
        return { id: m.id, outcome: "ok", result };
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ results }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    retryFirst,
    of: (agreementId: string, topic?: string) =>
      received.filter((m) => m.aggregateId === agreementId && (!topic || m.topic === topic)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
