import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { application, call, counts, startTestPe, type TestPe } from "./helpers.ts";

const TIMEOUT_MS = 1_000;
let pe: TestPe;

beforeAll(async () => {
  pe = await startTestPe({ HTTP_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) });
});
afterAll(async () => {
  await pe?.stop();
});

interface Outcome {
  closedAfterMs: number;
  sentBytes: number;
  reply: string;
}

/** Sends the headers of a POST /agreements at once, then its body one byte a second, until the server hangs up. */
function trickle(url: string, body: string): Promise<Outcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const started = Date.now();
    let sentBytes = 0;
    let reply = "";
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server still held the connection after 10 s (${sentBytes} bytes sent)`));
    }, 10_000);
    const finish = () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - started, sentBytes, reply });
    };
    socket.on("connect", () => {
      socket.write(
        `POST /agreements HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      timer = setInterval(() => {
        if (sentBytes < body.length && !socket.destroyed) socket.write(body[sentBytes++]!);
      }, 1_000);
    });
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
    });
    // A write racing the server's close may fail with EPIPE/ECONNRESET: the connection is cut either way.
    socket.on("error", () => {});
    socket.on("close", finish);
  });
}

describe("a client that trickles its request", () => {
  it("is cut off within the request timeout, and nothing is written", async () => {
    const before = await counts(pe);
    const body = JSON.stringify(application());
    const outcome = await trickle(pe.url, body);
    // The whole body would take minutes at this rate; the server hangs up after about TIMEOUT_MS.
    expect(outcome.sentBytes).toBeLessThan(body.length);
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    expect(outcome.closedAfterMs).toBeLessThan(TIMEOUT_MS * 3);
    if (outcome.reply !== "") expect(outcome.reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(await counts(pe)).toEqual(before);
  });

  it("leaves the server answering everyone else", async () => {
    expect((await call(pe.url, "GET", "/health")).status).toBe(200);
    expect((await call(pe.url, "POST", "/agreements", application())).status).toBe(201);
  });
});
