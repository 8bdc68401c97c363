import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../db/test-kit/databases.ts";
import { parseOperatorsArgs, runOperatorsCommand } from "../src/operators/commands.ts";
import { OperatorExists, OperatorRegistry } from "../src/operators/registry.ts";
import { newToken } from "../src/operators/tokens.ts";
import { runTs } from "../test-kit/child.ts";

let database: TestDatabase;
let registry: OperatorRegistry;

beforeAll(async () => {
  database = await createTestDatabase("operators");
  registry = OperatorRegistry.open(database.url, { cacheMs: 60_000 });
});
afterAll(async () => {
  await registry?.close();
  await database?.drop();
});

const rows = async () => {
  const { rows } = await registry.pool.query(
    "select (select count(*) from operators)::int as operators, (select count(*) from operator_tokens)::int as tokens",
  );
  return rows[0];
};

describe("the operator registry", () => {
  it("adds an operator with a token that verifies, stored only as an argon2id hash", async () => {
    const { operator, token } = await registry.addOperator({ name: "reg.anna", role: "officer" }, "test");
    expect(operator).toMatchObject({ name: "reg.anna", role: "officer", createdBy: "test" });
    expect(await registry.verify(token.token)).toEqual({
      id: operator.id,
      name: "reg.anna",
      role: "officer",
      tokenId: token.id,
    });
    const { rows: stored } = await registry.pool.query("select hash, last4 from operator_tokens where id = $1", [
      token.id,
    ]);
    expect(stored[0].hash).toMatch(/^\$argon2id\$/);
    expect(stored[0].hash).not.toContain(token.token.slice(36));
    expect(token.token.endsWith(stored[0].last4)).toBe(true);
  });

  it("refuses a duplicate name and writes nothing", async () => {
    await registry.addOperator({ name: "reg.dup", role: "viewer" }, "test");
    const before = await rows();
    await expect(registry.addOperator({ name: "reg.dup", role: "admin" }, "test")).rejects.toThrow(OperatorExists);
    expect(await rows()).toEqual(before);
  });

  it("refuses an unknown token, a wrong secret, a revoked token and a malformed one", async () => {
    const { operator, token } = await registry.addOperator({ name: "reg.rev", role: "risk" }, "test");
    const wrongSecret = `${token.token.slice(0, 36)}${"A".repeat(43)}`;
    for (const bad of [newToken().token, wrongSecret, "op_nope", ""]) expect(await registry.verify(bad)).toBeNull();
    expect(await registry.revokeToken(token.id, operator.id)).toBe(true);
    expect(await registry.verify(token.token)).toBeNull();
    expect(await registry.revokeToken(token.id, operator.id)).toBe(false);
  });

  it("lists operators with their tokens, never a secret", async () => {
    const { operator, token } = await registry.addOperator({ name: "reg.list", role: "viewer" }, "test");
    const second = await registry.issueToken(operator.id);
    const listed = (await registry.listOperators()).find((o) => o.name === "reg.list");
    expect(listed?.tokens.map((t) => t.id)).toEqual([token.id, second?.id]);
    expect(JSON.stringify(listed)).not.toContain(token.token.slice(36));
    expect(await registry.issueToken("00000000-0000-4000-8000-000000000000")).toBeNull();
  });

  it("keeps a checked token for its cache time: another process's revocation arrives within it", async () => {
    const { token } = await registry.addOperator({ name: "reg.cache", role: "viewer" }, "test");
    const other = OperatorRegistry.open(database.url, { cacheMs: 0 });
    try {
      expect(await registry.verify(token.token)).not.toBeNull();
      await other.revokeToken(token.id);
      // Revoked elsewhere: this process still trusts its cached answer (the documented delay), the
      // uncached one refuses at once.
      expect(await registry.verify(token.token)).not.toBeNull();
      expect(await other.verify(token.token)).toBeNull();
    } finally {
      await other.close();
    }
  });

  it("does not know a token of another registry's database", async () => {
    const elsewhere = await createTestDatabase("operators");
    const theirs = OperatorRegistry.open(elsewhere.url);
    try {
      const { token } = await theirs.addOperator({ name: "reg.anna", role: "admin" }, "test");
      expect(await theirs.verify(token.token)).not.toBeNull();
      expect(await registry.verify(token.token)).toBeNull();
    } finally {
      await theirs.close();
      await elsewhere.drop();
    }
  });
});

describe("pnpm operators", () => {
  it("adds, lists and revokes with the registry's own functions", async () => {
    const added = await runOperatorsCommand(parseOperatorsArgs(["add", "cli.bob", "operator"]), registry);
    const token = /token \(shown once\): (\S+)/.exec(added)?.[1] ?? "";
    expect((await registry.verify(token))?.role).toBe("operator");
    const listed = await runOperatorsCommand(parseOperatorsArgs(["list"]), registry);
    expect(listed).toMatch(/cli\.bob\s+operator/);
    expect(listed).not.toContain(token);
    const tokenId = (await registry.listOperators()).find((o) => o.name === "cli.bob")!.tokens[0]!.id;
    await runOperatorsCommand(parseOperatorsArgs(["revoke", tokenId]), registry);
    expect(await registry.verify(token)).toBeNull();
    await expect(runOperatorsCommand(parseOperatorsArgs(["revoke", tokenId]), registry)).rejects.toThrow(
      /no live token/,
    );
  });

  it("runs as a command: a token printed once, a duplicate and an unknown role refused with their exit codes", async () => {
    const env = { OPERATORS_DATABASE_URL: database.url };
    const add = await runTs("shared/src/operators/cli.ts", ["add", "cli.carol", "risk"], env);
    expect(add.code).toBe(0);
    expect(add.out).toMatch(/token \(shown once\): op_[0-9a-f]{32}_/);
    const before = await rows();
    const dup = await runTs("shared/src/operators/cli.ts", ["add", "cli.carol", "risk"], env);
    expect(dup.code).toBe(1);
    expect(dup.out).toMatch(/exists/);
    const role = await runTs("shared/src/operators/cli.ts", ["add", "cli.dave", "superuser"], env);
    expect(role.code).toBe(2);
    expect(role.out).toMatch(/must be one of viewer, officer, operator, risk, admin/);
    expect(await rows()).toEqual(before);
    const list = await runTs("shared/src/operators/cli.ts", ["list"], env);
    expect(list.out).toMatch(/cli\.carol\s+risk/);
  });
});
