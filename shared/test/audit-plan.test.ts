import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DecisionFacts, decide } from "../src/approvals/decide.ts";
import { auditPlan, clean, jsonSafe, maskToken, outcomeOf, type RequestFacts } from "../src/audit/plan.ts";
import { allows, ROLES } from "../src/audit/types.ts";

const facts = (f: Partial<RequestFacts>): RequestFacts => ({
  method: "POST",
  path: "/admin/outbox/requeue",
  status: 200,
  hasOperator: true,
  handlerRow: false,
  ...f,
});

describe("which requests the audit trail records", () => {
  it.each([
    ["an operator's POST its handler did not record", {}, "write"],
    ["an operator's POST its handler recorded, answered 2xx", { handlerRow: true, status: 202 }, "skip"],
    ["an operator's POST its handler recorded, answered 409", { handlerRow: true, status: 409 }, "verify"],
    ["an operator's POST refused 403", { status: 403 }, "write"],
    ["an unknown caller's POST refused 401", { hasOperator: false, status: 401 }, "write"],
    ["a client's POST (no operator) answered 201", { hasOperator: false, status: 201, path: "/agreements" }, "skip"],
    ["a client's POST (no operator) refused 422", { hasOperator: false, status: 422, path: "/agreements" }, "skip"],
    ["an operator's read", { method: "GET", path: "/admin/outbox" }, "skip"],
    ["a read of an admin endpoint refused 401", { method: "GET", path: "/admin/outbox", status: 401 }, "write"],
    ["a public read refused 401", { method: "GET", path: "/agreements", status: 401, hasOperator: false }, "skip"],
    ["a signed service call refused 401", { path: "/internal/decisions", status: 401, hasOperator: false }, "skip"],
    ["a probe", { method: "GET", path: "/health", hasOperator: false }, "skip"],
  ] as const)("%s → %s", (_what, f, plan) => {
    expect(auditPlan(facts(f))).toBe(plan);
  });

  it("never records a read that was not refused, nor a service call", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("GET", "HEAD", "OPTIONS", "POST", "DELETE"),
        fc.constantFrom("/admin/audit", "/internal/x", "/agreements", "/products", "/health"),
        fc.integer({ min: 200, max: 599 }),
        fc.boolean(),
        fc.boolean(),
        (method, path, status, hasOperator, handlerRow) => {
          const plan = auditPlan({ method, path, status, hasOperator, handlerRow });
          if (path.startsWith("/internal/") || path === "/health") expect(plan).toBe("skip");
          if (["GET", "HEAD", "OPTIONS"].includes(method) && status !== 401 && status !== 403)
            expect(plan).toBe("skip");
          if (plan === "verify") expect(handlerRow && status >= 400).toBe(true);
        },
      ),
    );
  });

  it("names the outcome by status: REFUSED for 401 and 403, FAILED for other errors", () => {
    expect([200, 202, 401, 403, 404, 409, 422, 500].map(outcomeOf)).toEqual([
      "ALLOWED",
      "ALLOWED",
      "REFUSED",
      "REFUSED",
      "FAILED",
      "FAILED",
      "FAILED",
      "FAILED",
    ]);
  });

  it("keeps no usable part of a token: at most four characters and the length", () => {
    expect(maskToken("op_3f9a7c1e2b4d4e6f8a0b1c2d3e4f5a6b_secretsecret")).toBe("op_3…(48)");
    expect(maskToken("short-key-12")).toBe("…(12)");
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (token) => {
        const masked = maskToken(token);
        expect(masked.endsWith(`(${token.length})`)).toBe(true);
        expect(masked.length).toBeLessThanOrEqual(6 + String(token.length).length + 2);
      }),
    );
  });

  it("makes request text and summaries safe for PostgreSQL: no NUL, bounded", () => {
    expect(clean("a\u0000b\nc")).toBe("a\uFFFDb\uFFFDc");
    expect(clean("x".repeat(500)).length).toBe(200);
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.stringify(jsonSafe(v) ?? null)).not.toContain("\\u0000");
      }),
    );
  });
});

const pending: DecisionFacts = {
  status: "PENDING",
  expired: false,
  requestedBy: { id: "a", name: "anna" },
  approverRole: "admin",
};
const anna = { id: "a", name: "anna", role: "admin" as const };
const boris = { id: "b", name: "boris", role: "admin" as const };
const vera = { id: "v", name: "vera", role: "viewer" as const };

describe("a decision on an approval", () => {
  it.each([
    ["another admin approves a pending one", pending, "approve", boris, "run"],
    ["the requester approves", pending, "approve", anna, "SAME_OPERATOR"],
    ["a viewer approves", pending, "approve", vera, "FORBIDDEN"],
    ["the requester rejects", pending, "reject", anna, "reject"],
    ["another admin rejects", pending, "reject", boris, "reject"],
    ["a viewer rejects", pending, "reject", vera, "FORBIDDEN"],
    ["approve past expiry", { ...pending, expired: true }, "approve", boris, "expire"],
    ["reject past expiry", { ...pending, expired: true }, "reject", anna, "expire"],
    ["approve an approved one again", { ...pending, status: "APPROVED" }, "approve", boris, "as-is"],
    ["reject an approved one", { ...pending, status: "APPROVED" }, "reject", boris, "APPROVAL_DECIDED"],
    ["approve a rejected one", { ...pending, status: "REJECTED" }, "approve", boris, "APPROVAL_DECIDED"],
    ["reject a rejected one again", { ...pending, status: "REJECTED" }, "reject", boris, "as-is"],
    ["approve a failed one", { ...pending, status: "FAILED" }, "approve", boris, "APPROVAL_DECIDED"],
    ["approve an expired one", { ...pending, status: "EXPIRED" }, "approve", boris, "APPROVAL_EXPIRED"],
    ["the requester approves an approved one", { ...pending, status: "APPROVED" }, "approve", anna, "SAME_OPERATOR"],
  ] as const)("%s → %s", (_what, f, decision, by, expected) => {
    const v = decide(f, decision, by);
    expect(v.kind === "refuse" ? v.code : v.kind).toBe(expected);
  });

  it("never runs the action for the requester, a role that may not approve, or a decided approval", () => {
    const status = fc.constantFrom("PENDING", "APPROVED", "REJECTED", "EXPIRED", "FAILED" as const);
    const who = fc.record({ id: fc.constantFrom("a", "b", "c"), name: fc.constantFrom("anna", "boris") });
    fc.assert(
      fc.property(
        status,
        fc.boolean(),
        who,
        who,
        fc.constantFrom(...ROLES),
        fc.constantFrom(...ROLES),
        (s, expired, req, by, role, approverRole) => {
          const v = decide({ status: s, expired, requestedBy: req, approverRole }, "approve", { ...by, role });
          if (v.kind === "run") {
            expect(s).toBe("PENDING");
            expect(expired).toBe(false);
            expect(req.id === by.id).toBe(false);
            expect(allows(role, approverRole)).toBe(true);
          }
        },
      ),
    );
  });
});
