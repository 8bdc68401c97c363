import { Dec } from "@loans/shared/money";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeLoanState } from "../src/servicing/index.ts";
import { type Account, ledgerFacts } from "../src/servicing/ledger-facts.ts";
import { caseArb } from "./servicing-arbitraries.ts";

// LIFECYCLE §3.2 item 6 on the pure side: for random loans and payments, every fact the ledger posts
// balances, and the accounts equal the figures the state shows.
const FEE = "5000.00";

function ledgerOf(c: Parameters<typeof computeLoanState>) {
  const [terms, payments, asOf] = c;
  const state = computeLoanState(terms, payments, asOf);
  const principal = terms.schedule.reduce((s, r) => s.plus(r.principal), new Dec(0));
  const facts = ledgerFacts({
    principal: principal.toFixed(2),
    disbursementAmount: principal.minus(FEE).toFixed(2),
    originationFee: FEE,
    disbursedOn: terms.disbursedOn,
    disbursementId: "d",
    state,
    payments: payments.filter((p) => p.valueDate <= asOf).map((p) => ({ ...p, refundWhole: false })),
    refunds: [],
  });
  const balance = (a: Account) => facts.reduce((s, f) => s.plus(f.lines.get(a) ?? 0), new Dec(0)).toFixed(2);
  return { state, facts, balance };
}

describe("the ledger a state implies", () => {
  it("every fact balances; the accounts are the state's balances", () => {
    fc.assert(
      fc.property(caseArb, ({ terms, payments, asOf }) => {
        const { state, facts, balance } = ledgerOf([terms, payments, asOf]);
        for (const f of facts) {
          const net = [...f.lines.values()].reduce((s, x) => s.plus(x), new Dec(0));
          expect(net.isZero(), `fact ${f.key}`).toBe(true);
        }
        expect(balance("LOAN_PRINCIPAL")).toBe(state.balances.principalOutstanding);
        expect(balance("PENALTY_RECEIVABLE")).toBe(state.balances.penaltyOutstanding);
        // Refunds stay in CLIENT_FUNDS until PG pays them (none here has been paid).
        expect(balance("CLIENT_FUNDS")).toBe(
          new Dec(state.balances.unappliedFunds).plus(state.refunded).neg().toFixed(2),
        );
        expect(new Dec(balance("INTEREST_RECEIVABLE")).gte(0)).toBe(true);
        const received = payments.filter((p) => p.valueDate <= asOf).reduce((s, p) => s.plus(p.amount), new Dec(0));
        const disbursed = new Dec(state.versions[0]!.rows.reduce((s, r) => s.plus(r.principal), new Dec(0))).minus(FEE);
        expect(balance("SETTLEMENT")).toBe(received.minus(disbursed).toFixed(2));
        expect(balance("FEE_INCOME")).toBe(`-${FEE}`);
        if (state.closed) expect(balance("INTEREST_RECEIVABLE")).toBe("0.00");
      }),
      { numRuns: 150 },
    );
  });

  it("a payment learned late changes the facts only by balanced differences", () => {
    fc.assert(
      fc.property(caseArb, ({ terms, payments, asOf }) => {
        if (payments.length === 0) return;
        const without = ledgerOf([terms, payments.slice(1), asOf]);
        const withIt = ledgerOf([terms, payments, asOf]);
        const keys = new Set([...without.facts, ...withIt.facts].map((f) => f.key));
        for (const key of keys) {
          const a = without.facts.find((f) => f.key === key)?.lines ?? new Map();
          const b = withIt.facts.find((f) => f.key === key)?.lines ?? new Map();
          let net = new Dec(0);
          for (const acc of new Set([...a.keys(), ...b.keys()])) net = net.plus(b.get(acc) ?? 0).minus(a.get(acc) ?? 0);
          expect(net.isZero(), `the difference of ${key}`).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });
});
