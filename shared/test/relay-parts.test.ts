import { describe, expect, it } from "vitest";
import type { ClaimedMessage } from "../src/outbox/claim.ts";
import { formatAge, formatTable } from "../src/outbox/inspect.ts";
import { resolveOptions } from "../src/outbox/options.ts";
import { batchRequestId, readBatchResponse, wireBody } from "../src/outbox/send.ts";

const claimed = (id: string, payloadJson = '{"a":1}'): ClaimedMessage => ({
  id,
  topic: "t",
  aggregateId: `agg-${id}`,
  payloadJson,
  createdAt: new Date("2030-01-02T03:04:05.678Z"),
  attempts: 1,
});

describe("the request body", () => {
  it("carries each payload exactly as stored, in the receiver's envelope", () => {
    const body = wireBody([claimed("1", '{"x": "é\\"q", "n": [1, 2.50]}'), claimed("2")]);
    expect(JSON.parse(body)).toEqual({
      messages: [
        {
          id: "1",
          topic: "t",
          aggregateId: "agg-1",
          payload: { x: 'é"q', n: [1, 2.5] },
          createdAt: "2030-01-02T03:04:05.678Z",
        },
        { id: "2", topic: "t", aggregateId: "agg-2", payload: { a: 1 }, createdAt: "2030-01-02T03:04:05.678Z" },
      ],
    });
  });
});

describe("the request id on the wire", () => {
  const withId = (id: string, requestId: string | null) => ({ ...claimed(id), requestId });

  it("goes with each message that has one, as written", () => {
    const body = JSON.parse(wireBody([withId("1", "req-a"), withId("2", null)]));
    expect(body.messages[0].requestId).toBe("req-a");
    expect(body.messages[1]).not.toHaveProperty("requestId");
  });

  it("is the batch's header when every message shares it, a new one otherwise", () => {
    expect(batchRequestId([withId("1", "req-a"), withId("2", "req-a")])).toBe("req-a");
    const uuid = /^[0-9a-f-]{36}$/;
    expect(batchRequestId([withId("1", "req-a"), withId("2", "req-b")])).toMatch(uuid);
    expect(batchRequestId([withId("1", null)])).toMatch(uuid);
  });
});

describe("reading a batch answer", () => {
  const sent = [claimed("1"), claimed("2"), claimed("3")];
  const retry = (message: RegExp | string) => ({
    outcome: "retry",
    error: { code: expect.any(String), message: expect.stringMatching(message) },
  });

  it.each([
    ["not JSON", "<html>", /not JSON/],
    ["JSON of another shape", '{"ok":true}', /not a batch response/],
    ["an empty body", "", /not JSON/],
  ])("fails every item when the body is %s", (_, text, why) => {
    const outcomes = readBatchResponse(text, sent);
    expect([...outcomes.values()]).toEqual([retry(why), retry(why), retry(why)]);
  });

  it("takes each item on its own: ok, rejected, retry, malformed, missing, unknown and repeated ids", () => {
    const text = JSON.stringify({
      results: [
        { id: "1", outcome: "ok", result: { status: "IN_PROGRESS" } },
        { id: "2", outcome: "rejected", error: { code: "CONFLICT", message: "contradicts" } },
        { id: "2", outcome: "ok" },
        { id: "9", outcome: "ok" },
        { id: "3", outcome: "maybe" },
      ],
    });
    const outcomes = readBatchResponse(text, sent);
    expect(outcomes.get("1")).toEqual({ outcome: "ok", result: { status: "IN_PROGRESS" } });
    expect(outcomes.get("2")).toEqual({ outcome: "rejected", error: { code: "CONFLICT", message: "contradicts" } });
    expect(outcomes.get("3")).toEqual(retry(/no valid item/));
    expect(outcomes.has("9")).toBe(false);
  });
});

describe("relay options", () => {
  it("fills in defaults and keeps what is given", () => {
    const o = resolveOptions({ batchSize: 10, leaseMs: undefined });
    expect(o.batchSize).toBe(10);
    // Unset, the lease follows the timeouts: connect 2 s + request 10 s + 3 s of slack.
    expect(o.leaseMs).toBe(15_000);
  });

  it("refuses settings that break the guarantees, naming each", () => {
    expect(() =>
      resolveOptions({ batchSize: 5_000, maxDelayMs: 10, baseDelayMs: 100, leaseMs: 1_000, concurrency: 0 }),
    ).toThrow(/batchSize must be at most 1000.*maxDelayMs must not be below baseDelayMs.*leaseMs must be at least/s);
    expect(() => resolveOptions({ concurrency: 0 })).toThrow(/concurrency must be a positive number/);
    expect(() => resolveOptions({ maxAttempts: 2.5 })).toThrow(/maxAttempts must be an integer/);
  });
});

describe("status formatting", () => {
  it.each([
    [null, "-"],
    [0, "0s"],
    [59.9, "59s"],
    [95, "1m35s"],
    [3_600, "1h00m"],
    [90_061, "1d01h"],
  ])("an age of %s seconds reads %s", (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });

  it("aligns a table, numbers to the right", () => {
    expect(
      formatTable(
        ["topic", "pending"],
        [
          ["a.long.topic", 5],
          ["b", 1234],
        ],
      ),
    ).toBe(
      ["topic         pending", "------------  -------", "a.long.topic        5", "b                1234"].join("\n"),
    );
  });
});
