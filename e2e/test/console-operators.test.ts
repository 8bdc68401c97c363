/**
 * The console with named operators, the audit trail, four-eyes approvals, PE's calendar and moved due dates
 * (issues 31 and 27). Each test names the endpoints it needs; they come from other branches (operators:
 * ops-auth; audit and approvals: audit-approvals; calendar; due dates), so on the console's branch alone
 * these fail on a 404. What the console shows with the admin token and a client's API key is in console.test.ts.
 */
import { waitFor } from "@loans/shared/test-kit/wait";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type Harness, hasChromium, startHarness } from "../kit/console-harness.ts";

const suite = hasChromium() ? describe : describe.skip;

let h: Harness;
let admin: Page;
const tag = Date.now().toString(36).slice(-5);

beforeAll(async () => {
  if (!hasChromium()) return;
  h = await startHarness({ BUSINESS_CLOCK: "manual" });
  admin = await h.page();
  admin.setDefaultTimeout(15_000);
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

/** A page signed in with a new operator's token. */
async function signIn(name: string, role: string): Promise<Page> {
  const p = await h.page(1280, await h.operator(`${name}-${tag}`, role));
  p.setDefaultTimeout(15_000);
  return p;
}

async function approved(n: number): Promise<string> {
  const id = await h.apply(n);
  await h.waitStatus(id, "APPROVED");
  return id;
}

suite("the console with operators, audit, approvals and the calendar", () => {
  // Needs ops-auth: POST /admin/operators, operator tokens, /admin/me answering the operator.
  it("shows the operator's name and role once signed in with an operator token", async () => {
    const p = await signIn("olga", "officer");
    try {
      const who = p.locator(`.top [data-who="olga-${tag}"]`);
      await who.waitFor();
      await expect(who.getAttribute("data-role")).resolves.toBe("officer");
      await who.getByText("officer", { exact: true }).waitFor();
    } finally {
      await p.close();
    }
  });

  // Needs ops-auth.
  it("lets the admin add an operator (token shown once), who signs in with it, and revoke the token", async () => {
    await admin.goto(`${h.web.url}/operators`);
    await admin.getByRole("button", { name: "Add an operator" }).click();
    const add = admin.getByRole("dialog", { name: "Add an operator" });
    await add.getByLabel("Name").fill(`nina-${tag}`);
    await add.getByLabel("Role").selectOption("officer");
    await add.getByRole("button", { name: "Add", exact: true }).click();
    const token = await add.locator("[data-issued-token]").textContent();
    expect(token).toMatch(/^op_/);
    await add.getByRole("button", { name: "Close" }).click();
    const row = admin.locator(`[data-panel=operators] tr[data-operator="nina-${tag}"]`);
    await row.getByText("officer").waitFor();
    const nina = await h.page(1280, token!);
    try {
      await nina.locator(`.top [data-who="nina-${tag}"][data-role="officer"]`).waitFor();
      // Not the admin: no Operators page offered.
      expect(
        await nina.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Operators" }).count(),
      ).toBe(0);
    } finally {
      await nina.close();
    }
    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByRole("dialog", { name: "Revoke" }).getByRole("button", { name: "Revoke the token" }).click();
    await row.getByText("no live token").waitFor();
    // The registry keeps a checked token for a few seconds: the revocation holds once that has passed.
    await waitFor(
      async () =>
        (await h.pe("GET", "/admin/me", undefined, { authorization: `Bearer ${token}` })).status === 401 || undefined,
      { what: "the revoked token refused", timeoutMs: 20_000 },
    );
  });

  // Needs ops-auth.
  it("offers a viewer no disburse, withdraw, business-date, requeue or calendar edit", async () => {
    const id = await approved(21);
    const p = await signIn("vera", "viewer");
    try {
      await p.goto(`${h.web.url}/loans/${id}`);
      await p.getByRole("button", { name: "Payoff quote", exact: true }).waitFor();
      for (const name of ["Disburse", "Withdraw", "Record a payment"])
        expect(await p.getByRole("button", { name, exact: true }).count()).toBe(0);
      await p.goto(`${h.web.url}/business-date`);
      await p.getByText("Moving it needs the operator role.").waitFor();
      expect(await p.getByRole("button", { name: "Move the date forward" }).count()).toBe(0);
      await p.goto(`${h.web.url}/calendar`);
      await p.locator("[data-panel=calendar] [data-source]").waitFor();
      expect(await p.getByRole("button", { name: "Save the calendar" }).count()).toBe(0);
    } finally {
      await p.close();
    }
  });

  // Needs audit-approvals (the audit trail; the admin token is audited as the bootstrap admin).
  it("lists an action on the Audit page, and on the loan's own trail", async () => {
    const id = await approved(22);
    const r = await h.pe("POST", `/agreements/${id}/withdraw`, undefined, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(r.status).toBe(200);
    await admin.goto(`${h.web.url}/audit`);
    await admin.getByLabel("Target").fill(`agreement:${id}`);
    await admin.getByRole("button", { name: "Filter" }).click();
    const row = admin.locator("[data-panel=audit] tr[data-audit-action]").filter({ hasText: /withdraw/ });
    await row.getByText("bootstrap-admin").waitFor();
    await row.getByText(`agreement:${id}`).waitFor();
    await admin.goto(`${h.web.url}/loans/${id}`);
    await admin
      .locator("[data-panel=audit-trail] tr[data-audit-action]")
      .filter({ hasText: /withdraw/ })
      .waitFor();
  });

  // Needs ops-auth and audit-approvals (product creation held for a second admin).
  it("refuses the requester's own approval with SAME_OPERATOR, and another admin approves", async () => {
    const alice = await signIn("alice", "admin");
    const bobToken = await h.operator(`bob-${tag}`, "admin");
    const aliceToken = await alice.evaluate(() => sessionStorage.getItem("loans.console.token"));
    const code = `CL9.${Date.now() % 10}`;
    const asked = await h.pe(
      "POST",
      "/products",
      {
        code,
        name: "Consumer loan, four eyes",
        amortization: "ANNUITY",
        minTermMonths: 3,
        maxTermMonths: 24,
        minPrincipal: "50000.00",
        maxPrincipal: "500000.00",
        minInterestRate: "8",
        maxInterestRate: "15",
        minOriginationFee: "0.00",
        maxOriginationFee: "10000.00",
        penaltyRate: "20",
        penaltyGraceDays: 0,
      },
      { authorization: `Bearer ${aliceToken}` },
    );
    expect(asked.status).toBe(202);
    const approvalId = asked.body.approval.id as string;
    const bob = await h.page(1280, bobToken);
    try {
      await alice.goto(`${h.web.url}/approvals`);
      const mine = alice.locator(`[data-panel=approvals-pe] tr[data-approval="${approvalId}"]`);
      await mine.getByRole("button", { name: "Approve", exact: true }).click();
      const dialog = mine.getByRole("dialog", { name: "Approve" });
      await dialog.getByRole("button", { name: "Confirm", exact: true }).click();
      await dialog.getByRole("alert").getByText("SAME_OPERATOR").waitFor();
      await dialog
        .getByRole("alert")
        .getByText(/another operator must approve it/)
        .waitFor();
      await bob.goto(`${h.web.url}/approvals`);
      const theirs = bob.locator(`[data-panel=approvals-pe] tr[data-approval="${approvalId}"]`);
      await theirs.getByRole("button", { name: "Approve", exact: true }).click();
      await theirs.getByRole("dialog", { name: "Approve" }).getByRole("button", { name: "Confirm" }).click();
      await theirs.waitFor({ state: "detached" });
      await waitFor(async () => (await h.pe("GET", `/products/${code}`)).status === 200 || undefined, {
        what: `product ${code} created by the approval`,
      });
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  // Needs the calendar branch (GET/PUT /admin/calendar/{year}, 2026 seeded as EXCEPTIONS §6.4 lists it).
  it("shows a year on the Calendar page, refuses a bad list in words and saves a good one", async () => {
    await admin.goto(`${h.web.url}/calendar`);
    await admin.getByRole("spinbutton", { name: "Year" }).fill("2026");
    const grid = admin.locator("[data-panel=calendar]");
    await grid.locator('[data-source="SEED"]').getByText("247 working days").waitFor();
    await expect(grid.locator('[data-date="2026-01-07"]').getAttribute("data-kind")).resolves.toBe("holiday");
    await expect(grid.locator('[data-date="2026-03-09"]').getAttribute("data-kind")).resolves.toBe("holiday");
    await expect(grid.locator('[data-date="2026-03-10"]').getAttribute("data-kind")).resolves.toBe("working");
    // A Tuesday is no weekend: 400, in words, nothing saved.
    await admin.getByLabel("Working weekends").fill("2026-03-10");
    await admin.getByRole("button", { name: "Save the calendar" }).click();
    const dialog = admin.getByRole("dialog", { name: "Save the calendar" });
    await dialog.getByRole("button", { name: "Save", exact: true }).click();
    await dialog.getByRole("alert").getByText("VALIDATION_FAILED").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await admin.getByLabel("Working weekends").fill("");
    await admin.getByRole("button", { name: "Save the calendar" }).click();
    await dialog.getByRole("button", { name: "Save", exact: true }).click();
    await dialog
      .locator("[data-redated]")
      .getByText(/Re-dated \d+ agreement/)
      .waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    await grid.locator('[data-source="ADMIN"]').waitFor();
  });

  // Needs calendar and due-dates (CL2.0 moves due dates; schedule rows carry periodEnd).
  it("marks the due dates moved off a non-working day, with the nominal date", async () => {
    // 24 monthly due dates contain a whole calendar year, in which any day of the month falls on a weekend.
    const id = await h.apply(23, { productCode: "CL2.0", termMonths: 24, originationFee: "0.00" });
    await h.waitStatus(id, "APPROVED");
    const rows = (await h.agreement(id)).schedule as Array<{ period: number; dueDate: string; periodEnd: string }>;
    const moved = rows.filter((r) => r.periodEnd !== r.dueDate);
    expect(moved.length).toBeGreaterThan(0);
    await admin.goto(`${h.web.url}/loans/${id}`);
    for (const r of moved) {
      const cell = admin.locator(`[data-panel=schedule] tr[data-period="${r.period}"] [data-moved-from]`);
      await expect(cell.getAttribute("data-moved-from")).resolves.toBe(r.periodEnd);
      await cell.getByText(`moved from ${r.periodEnd}`).waitFor();
    }
    expect(await admin.locator("[data-panel=schedule] [data-moved-from]").count()).toBe(moved.length);
  });
});
