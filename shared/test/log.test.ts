import { hostname } from "node:os";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { currentRequestId, requestIdFrom, withRequestId } from "../src/context.ts";
import { createLogger } from "../src/log.ts";
import { maskPersonalData } from "../src/mask.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split("\n")) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, destination };
}

const client = {
  firstName: "Ivan",
  lastName: "Petrov",
  middleName: "Sergeevich",
  birthDate: "1990-05-17",
  passportNumber: "4510123456",
  email: "ivan.petrov@example.com",
  phone: "+79161234567",
  monthlyIncome: "150000.00",
};

describe("masking personal data", () => {
  it("keeps a trace of each field, never the value", () => {
    expect(maskPersonalData({ client })).toEqual({
      client: {
        firstName: "I***",
        lastName: "P***",
        middleName: "S***",
        birthDate: "***",
        passportNumber: "***56",
        email: "i***@***",
        phone: "***67",
        monthlyIncome: "***",
      },
    });
  });

  it("finds the fields at any depth and in arrays, whatever their case, and leaves the rest alone", () => {
    const masked = maskPersonalData({ batch: [{ deep: { PASSPORT: "AB1234567", Email: "x@y.z" } }], id: 7, ok: true });
    expect(masked).toEqual({ batch: [{ deep: { PASSPORT: "***67", Email: "x***@***" } }], id: 7, ok: true });
  });

  it("does not touch the object it was given", () => {
    const fields = { client: { ...client } };
    maskPersonalData(fields);
    expect(fields.client.passportNumber).toBe("4510123456");
  });
});

describe("the logger", () => {
  it("writes one JSON line with time, level, service, the current request id and masked fields", async () => {
    const { lines, destination } = capture();
    const log = createLogger("pe", "info", { destination });
    await withRequestId("req-1", async () => {
      await Promise.resolve();
      log.info("agreement created", { agreementId: "a1", client });
    });
    log.info("outside any request");
    log.debug("below the level");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: "info",
      service: "pe",
      requestId: "req-1",
      msg: "agreement created",
      agreementId: "a1",
    });
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
    const text = JSON.stringify(lines);
    for (const raw of [client.passportNumber, client.phone, client.email, client.lastName, client.birthDate]) {
      expect(text).not.toContain(raw);
    }
    expect(lines[1]).not.toHaveProperty("requestId");
  });

  it("names the process and host on every line, so two instances are told apart", () => {
    const { lines, destination } = capture();
    createLogger("pe", "info", { destination }).info("hello");
    expect(lines[0]).toMatchObject({ pid: process.pid, hostname: hostname() });
  });

  it("writes an error through pino's serializer: type, message and stack, causes included", () => {
    const { lines, destination } = capture();
    const log = createLogger("pe", "info", { destination });
    const cause = new Error("connect ECONNREFUSED 127.0.0.1:5432");
    log.warn("pg-boss error", { err: new TypeError("it broke", { cause }), client });
    const err = lines[0]!.err as { type: string; message: string; stack: string };
    expect(err.type).toBe("TypeError");
    expect(err.message).toContain("it broke");
    expect(err.stack).toMatch(/^TypeError: it broke\n\s+at /);
    expect(JSON.stringify(err)).toContain("ECONNREFUSED");
    expect(JSON.stringify(lines[0])).not.toContain(client.passportNumber);
  });

  it("hides the values PostgreSQL quotes in an error's detail", () => {
    const { lines, destination } = capture();
    const err = Object.assign(new Error('duplicate key value violates unique constraint "clients_passport_key"'), {
      code: "23505",
      detail: "Key (passport_number)=(4510123456) already exists.",
    });
    createLogger("pe", "info", { destination }).error("insert failed", { err });
    expect(lines[0]!.err).toMatchObject({ code: "23505", detail: "Key (passport_number)=(***) already exists." });
    expect(JSON.stringify(lines[0])).not.toContain("4510123456");
  });
});

describe("errors in log lines", () => {
  it("are written by pino's err serializer: type, message and stack, not a string", () => {
    const { lines, destination } = capture();
    const log = createLogger("pe", "info", { destination });
    const err = Object.assign(new Error("boom"), { code: "E_TEST" });
    log.error("unhandled rejection", { err });
    expect(lines[0]).toMatchObject({
      level: "error",
      msg: "unhandled rejection",
      err: { type: "Error", message: "boom", code: "E_TEST", stack: expect.stringContaining("boom") },
    });
  });
});

describe("request ids", () => {
  it("takes a plain caller id and replaces anything else", () => {
    expect(requestIdFrom("abc-123:x.y_z")).toBe("abc-123:x.y_z");
    for (const bad of [undefined, "", "a b", "x".repeat(129), "é", 'a"b']) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  it("follows awaits and timers inside its scope only", async () => {
    const seen = await withRequestId("r-2", () => new Promise((r) => setTimeout(() => r(currentRequestId()), 1)));
    expect(seen).toBe("r-2");
    expect(currentRequestId()).toBeUndefined();
  });
});
