import Router from "@koa/router";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/args.ts";
import { commonEnv } from "../src/config.ts";
import { createServiceApp } from "../src/kit/app.ts";
import { createLogger } from "../src/log.ts";
import { type Access, type Credential, decide } from "../src/operators/access.ts";
import { parseOperatorsArgs, tokenIdOf } from "../src/operators/commands.ts";
import { undeclaredRoutes } from "../src/operators/guard.ts";
import { allows, BOOTSTRAP_ADMIN, ROLES, type Role } from "../src/operators/roles.ts";
import { displayOf, formatToken, newToken, parseToken } from "../src/operators/tokens.ts";

const op = (role: Role): Credential => ({ kind: "operator", operator: { id: "x", name: role, role, tokenId: "t" } });

describe("roles", () => {
  // Every role × every required role: the rule of the brief, written out as a table.
  const table: Record<Role, Role[]> = {
    viewer: ["viewer"],
    officer: ["viewer", "officer"],
    operator: ["viewer", "operator"],
    risk: ["viewer", "risk"],
    admin: [...ROLES],
  };
  for (const role of ROLES) {
    for (const required of ROLES) {
      it(`${role} ${table[role].includes(required) ? "may" : "may not"} call a ${required} endpoint`, () => {
        expect(allows(role, required)).toBe(table[role].includes(required));
      });
    }
  }

  it("never lets a role do what admin cannot, and lets every role read", () => {
    const role = fc.constantFrom(...ROLES);
    fc.assert(
      fc.property(role, role, (r, q) => {
        if (allows(r, q)) expect(allows("admin", q)).toBe(true);
        expect(allows(r, "viewer")).toBe(true);
        expect(allows(r, r)).toBe(true);
      }),
    );
  });

  it("makes the bootstrap admin the brief's exact shape", () => {
    expect(BOOTSTRAP_ADMIN).toEqual({ id: null, name: "bootstrap-admin", role: "admin", tokenId: null });
  });
});

describe("operator tokens", () => {
  it("read back what they were made from, and carry at least 32 random bytes", () => {
    const t = newToken();
    expect(t.token).toMatch(/^op_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(t.secret, "base64url")).toHaveLength(32);
    expect(parseToken(t.token)).toEqual({ tokenId: t.tokenId, secret: t.secret });
    expect(displayOf(t.tokenId, "abcd")).toBe(`${t.token.slice(0, 35)}_…abcd`);
  });

  it("round-trip for any id and secret, and refuse anything else", () => {
    const secret = fc.string({ unit: fc.constantFrom(..."abcXYZ019-_"), minLength: 43, maxLength: 43 });
    fc.assert(
      fc.property(fc.uuid({ version: 4 }), secret, (tokenId, s) => {
        expect(parseToken(formatToken({ tokenId, secret: s }))).toEqual({ tokenId, secret: s });
      }),
    );
    for (const bad of ["", "op_", "op_zz_x", `op_${"a".repeat(32)}_short`, `xp_${"a".repeat(32)}_${"b".repeat(43)}`])
      expect(parseToken(bad)).toBeNull();
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(parseToken(s)).toBeNull();
      }),
    );
  });
});

describe("the access decision", () => {
  const both = { apiKeys: true, operators: true };
  const none = { apiKeys: false, operators: false };
  const officer: Access = { role: "officer" };
  const clientOfficer: Access = { role: "officer", apiKey: true };
  const cases: Array<[string, Access, Credential, typeof both, number | "allow"]> = [
    ["an officer on an officer endpoint", officer, op("officer"), both, "allow"],
    ["a viewer on an officer endpoint", officer, op("viewer"), both, 403],
    ["a risk operator on an officer endpoint", officer, op("risk"), both, 403],
    ["the admin on an officer endpoint", officer, op("admin"), both, "allow"],
    ["no credential on an officer endpoint", officer, { kind: "none" }, both, 401],
    ["an API key on an operator-only endpoint", officer, { kind: "apiKey" }, both, 401],
    ["an API key on a client endpoint", clientOfficer, { kind: "apiKey" }, both, "allow"],
    ["an unknown token on a client endpoint", clientOfficer, { kind: "invalid" }, both, 401],
    ["a malformed header", officer, { kind: "malformed" }, both, 401],
    ["a viewer on a client endpoint", clientOfficer, op("viewer"), both, 403],
    ["no credential in development", officer, { kind: "none" }, none, "allow"],
    ["an unknown token in development", officer, { kind: "invalid" }, none, "allow"],
    ["a known viewer in development is still held to its role", officer, op("viewer"), none, 403],
    [
      "no credential on a client endpoint without API keys",
      clientOfficer,
      { kind: "none" },
      { ...both, apiKeys: false },
      "allow",
    ],
    ["anything on a service endpoint (its signature is checked elsewhere)", "service", { kind: "none" }, both, "allow"],
    ["anything on an open endpoint", "open", { kind: "invalid" }, both, "allow"],
  ];
  it.each(cases)("%s", (_what, access, cred, req, expected) => {
    const d = decide(access, cred, req);
    if (expected === "allow") expect(d.allow).toBe(true);
    else expect(d).toMatchObject({ allow: false, status: expected });
    if (expected === 403 && typeof access === "object") expect(d).toMatchObject({ required: access.role });
  });
});

describe("route declarations", () => {
  const config = commonEnv.parse({ LOG_LEVEL: "silent" });
  const deps = { name: "t", config, pool: {} as never, log: createLogger("t", "silent") };

  it("list a route on a router that no RouteDoc declares, and the kit refuses to build that app", () => {
    const router = new Router().get("/things/:id", () => {}).post("/things", () => {});
    const doc = { operationId: "x", summary: "x", responses: {} };
    const docs = [{ ...doc, method: "get", path: "/things/{id}", access: { role: "viewer" } }] as const;
    expect(undeclaredRoutes([router], docs)).toEqual(["POST /things"]);
    expect(() => createServiceApp(deps, [router], [])).toThrow(
      /routes without a declared access: GET \/things\/\{id\}, POST \/things/,
    );
    expect(() =>
      createServiceApp(
        deps,
        [router],
        [
          ...docs,
          {
            method: "post",
            path: "/things",
            access: { role: "officer" },
            operationId: "x",
            summary: "x",
            responses: {},
          },
        ],
      ),
    ).not.toThrow();
  });
});

describe("pnpm operators' command line", () => {
  it.each([
    [["add", "anna", "officer"], { command: "add", name: "anna", role: "officer" }],
    [["list"], { command: "list" }],
    [
      ["revoke", "9B2E4C1D-7F3A-4B8E-A1D5-6C0F2E8B4A73"],
      { command: "revoke", tokenId: "9b2e4c1d-7f3a-4b8e-a1d5-6c0f2e8b4a73" },
    ],
    [
      ["revoke", "op_9b2e4c1d7f3a4b8ea1d56c0f2e8b4a73"],
      { command: "revoke", tokenId: "9b2e4c1d-7f3a-4b8e-a1d5-6c0f2e8b4a73" },
    ],
  ])("reads %j", (argv, expected) => {
    expect(parseOperatorsArgs(argv)).toEqual(expected);
  });

  it.each([
    [["add", "anna", "superuser"], /must be one of viewer, officer, operator, risk, admin/],
    [["add", "an na", "viewer"], /name/],
    [["add", "anna"], /takes 2 argument/],
    [["revoke", "nope"], /no token id/],
    [["list", "extra"], /takes 0 argument/],
    [["drop"], /usage/],
    [[], /usage/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseOperatorsArgs(argv)).toThrow(UsageError);
    expect(() => parseOperatorsArgs(argv)).toThrow(message);
  });

  it("reads a token id from a whole token too", () => {
    const t = newToken();
    expect(tokenIdOf(t.token)).toBe(t.tokenId);
  });
});
