import { waitFor } from "@loans/shared/test-kit/wait";
import pg from "pg";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, type Harness, hasChromium, startHarness } from "../kit/console-harness.ts";

// Debian's chromium, which .ci/run installs when missing; without it these tests are skipped and say so.
const suite = hasChromium() ? describe : describe.skip;

let h: Harness;
let page: Page;

beforeAll(async () => {
  if (!hasChromium()) return;
  // The manual clock lets a test move the business date; everything else reads it like the system clock.
  h = await startHarness({ BUSINESS_CLOCK: "manual" });
  page = await h.page();
  page.setDefaultTimeout(15_000);
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

const fmt = (money: string) => Number(money).toLocaleString("en-US", { minimumFractionDigits: 2 });
const row = (id: string) => page.locator(`tr[data-agreement="${id}"]`);

async function openLoan(id: string) {
  await page.goto(`${h.web.url}/loans/${id}`);
  await page.getByRole("heading", { name: /^Loan / }).waitFor();
}

/** Opens the action's dialog and confirms it; resolves once the dialog shows its result. */
async function act(label: string, confirm: string) {
  await page.getByRole("button", { name: label, exact: true }).click();
  const dialog = page.getByRole("dialog", { name: label });
  await dialog.getByRole("button", { name: confirm, exact: true }).click();
  await dialog.locator(".result").waitFor();
  await dialog.getByRole("button", { name: "Close" }).click();
}

suite(hasChromium() ? "the console in Chromium" : "the console (skipped: no /usr/bin/chromium)", () => {
  it("asks for a key once, loads fast, and shows an application made through the API as approved", async () => {
    const timing = await page.evaluate(() => {
      // The page's own navigation entry (the test's types are Node's, without the DOM's).
      const n = performance.getEntriesByType("navigation" as "mark")[0] as unknown as {
        domContentLoadedEventEnd: number;
        loadEventEnd: number;
      };
      return { domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd };
    });
    console.log(
      `console page load: DOMContentLoaded ${timing.domContentLoaded.toFixed(0)} ms, load ${timing.load.toFixed(0)} ms`,
    );
    expect(timing.load).toBeLessThan(5_000);
    const id = await h.apply(1);
    await row(id).getByText("APPROVED").waitFor({ timeout: 20_000 });
    await expect(row(id).locator("code").first().textContent()).resolves.toBe(id.slice(0, 8));
    const approved = page.locator('button[data-status="APPROVED"] .n');
    await waitFor(async () => Number(await approved.getAttribute("data-count")) >= 1);
    // The key stays for the session: a reload does not ask again.
    await page.reload();
    await page.getByRole("heading", { name: "Pipeline" }).waitFor();
  });

  it("shows who is signed in: the admin token is the bootstrap admin, who sees every operator page", async () => {
    await page.goto(h.web.url);
    const who = page.locator(".top [data-who]");
    await expect(who.getAttribute("data-who")).resolves.toBe("bootstrap-admin");
    await expect(who.getAttribute("data-role")).resolves.toBe("admin");
    await who.getByText("admin", { exact: true }).waitFor();
    const nav = page.getByRole("navigation", { name: "Pages" });
    for (const name of ["Operations", "Business date", "Calendar", "Audit", "Approvals", "Operators"])
      await nav.getByRole("link", { name }).waitFor();
    await page.locator(".top").getByRole("button", { name: "Sign out" }).waitFor();
  });

  it("with a client's API key: no operator page, no action on a loan, and Sign out asks again", async () => {
    const id = await h.apply(10);
    await h.waitStatus(id, "APPROVED");
    const client = await h.page(1280, API_KEY);
    try {
      await client.locator('.top [data-who="api-key"]').getByText("API key").waitFor();
      const nav = client.getByRole("navigation", { name: "Pages" });
      await nav.getByRole("link", { name: "Pipeline" }).waitFor();
      expect(await nav.getByRole("link").count()).toBe(1);
      await client.goto(`${h.web.url}/loans/${id}`);
      await client.getByRole("button", { name: "Payoff quote", exact: true }).waitFor();
      for (const name of ["Disburse", "Withdraw", "Record a payment"])
        expect(await client.getByRole("button", { name, exact: true }).count()).toBe(0);
      expect(await client.locator("[data-panel=audit-trail]").count()).toBe(0);
      // An operator page typed in the address bar is not shown to an API key either.
      await client.goto(`${h.web.url}/business-date`);
      await client.getByText("sign in with an operator token").waitFor();
      await client.locator(".top").getByRole("button", { name: "Sign out" }).click();
      await client.getByLabel("API key, operator token or admin token").waitFor();
    } finally {
      await client.close();
    }
  });

  it("finds loans by the passport's last digits, and every loan has its own URL", async () => {
    const id = await h.apply(2);
    await h.waitStatus(id, "APPROVED");
    const { body } = await h.pe("GET", `/agreements/${id}`);
    const client = (await h.pe("GET", `/clients/${body.clientId}`)).body;
    await page.getByLabel(/passport's last digits/).fill(client.passportNumber.slice(-4));
    await page.getByRole("button", { name: "Search" }).click();
    await row(id).waitFor();
    await row(id).getByRole("link").click();
    await page.waitForURL(`**/loans/${id}`);
    await page.getByText("Every scoring rule passed.").waitFor();
    await page.locator("[data-panel=timeline]").getByText("APPROVED").waitFor();
    await page.locator(".reqid").first().waitFor();
  });

  it("shows an API error in words, not a blank page", async () => {
    await page.goto(`${h.web.url}/loans/not-a-loan`);
    await page.getByRole("alert").getByText("NOT_FOUND").waitFor();
  });

  it("disburses through the console: the payout is paid and the schedule and its chart are re-dated", async () => {
    const id = await h.apply(3);
    await h.waitStatus(id, "APPROVED");
    await openLoan(id);
    const chart = page.locator("[data-panel=schedule] [data-first-due]");
    const before = await chart.getAttribute("data-first-due");
    await page.getByText("Indicative: dated from the application").waitFor();
    // The PSK framed at the top (EXCEPTIONS §6.1's loan): indicative until the payout, final after.
    const psk = page.locator(".loan-head .psk-frame");
    await psk.getByText("15.655 %").waitFor();
    await psk.getByText("indicative, schedule version 1").waitFor();
    expect(await psk.getByRole("link", { name: "Terms sheet" }).getAttribute("href")).toBe(
      `/api/pe/agreements/${id}/terms`,
    );
    await act("Disburse", "Pay out");
    await page.locator(".loan-head h1").getByText("ACTIVE").waitFor({ timeout: 20_000 });
    await page.locator("[data-panel=money] [data-payout]").getByText("PAID").waitFor();
    await page.getByText(/Dated from the disbursement on/).waitFor();
    await psk.getByText("final, schedule version 1").waitFor();
    // The link fetches the sheet with the operator's key and opens it in a tab of its own.
    const [sheet] = await Promise.all([
      page.waitForEvent("popup"),
      psk.getByRole("link", { name: "Terms sheet" }).click(),
    ]);
    await sheet.locator("#psk").getByText("15,655").waitFor();
    await sheet.close();
    const anchored = (await h.agreement(id)).schedule as Array<{ dueDate: string }>;
    await waitFor(async () => (await chart.getAttribute("data-first-due")) === anchored[0]!.dueDate);
    expect(before).toBeTruthy();
  });

  it("withdraws through the console, after a confirm step", async () => {
    const id = await h.apply(4);
    await h.waitStatus(id, "APPROVED");
    await openLoan(id);
    await page.getByRole("button", { name: "Withdraw", exact: true }).click();
    await page.getByRole("dialog", { name: "Withdraw" }).getByRole("button", { name: "Cancel" }).click();
    expect((await h.agreement(id)).status).toBe("APPROVED");
    await act("Withdraw", "Withdraw the application");
    await page.locator(".loan-head h1").getByText("WITHDRAWN").waitFor();
    await h.waitStatus(id, "WITHDRAWN");
  });

  it("records a payment and moves the business date (manual clock only)", async (ctx) => {
    const probe = await h.pe("GET", "/admin/business-date", undefined, {
      authorization: "Bearer console-test-admin-token-0123",
    });
    if (probe.status === 404 || probe.body?.clock !== "manual") {
      ctx.skip(`PE has no manual business date here (GET /admin/business-date answered ${probe.status})`);
      return;
    }
    const id = await h.apply(5);
    await h.waitStatus(id, "APPROVED");
    await h.pe("POST", `/agreements/${id}/disburse`, { destination: { accountNumber: "40817810000000000001" } });
    await h.waitStatus(id, "ACTIVE");
    await openLoan(id);
    const chart = page.locator("[data-panel=schedule] [data-paid]");
    expect(await chart.getAttribute("data-paid")).toBe("0");
    const first = (await h.agreement(id)).schedule as Array<{ dueDate: string; payment: string }>;
    // One installment, paid before its due date: it waits as unapplied funds until the daily job of that day.
    await page.getByRole("button", { name: "Record a payment", exact: true }).click();
    await page.getByRole("dialog").getByLabel("Amount").fill(first[0]!.payment);
    await page.getByRole("dialog").getByRole("button", { name: "Record the payment", exact: true }).click();
    await page.getByRole("dialog").locator(".result").waitFor();
    await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    const unapplied = async () =>
      ((await h.agreement(id)) as { balances?: { unappliedFunds: string } }).balances?.unappliedFunds;
    await waitFor(async () => (await unapplied()) === first[0]!.payment, {
      what: "the payment to reach PE as unapplied funds",
    });
    // The page shows it everywhere: the balances hold it, PG's list says PE applied it, the ledger has its journal.
    const paymentId = (await h.pe("GET", `/agreements/${id}/transactions`)).body.items.at(-1).paymentId as string;
    const balances = page.locator("[data-panel=balances]");
    await balances.locator(`[data-balance=unappliedFunds]`).getByText(fmt(first[0]!.payment)).waitFor();
    await page.locator(`[data-panel=money] li[data-payment="${paymentId}"][data-applied]`).waitFor();
    const journal = page.locator(`[data-panel=ledger] tr[data-payment-id="${paymentId}"]`);
    await journal.getByText("held as unapplied funds").waitFor();
    await journal.getByRole("button", { name: "Entries" }).click();
    await page.locator("[data-panel=ledger] table.entries").getByText("SETTLEMENT").waitFor();
    // A quote past the next due date is refused in words; one on the business date names its parts.
    await page.getByRole("button", { name: "Payoff quote", exact: true }).click();
    const quote = page.getByRole("dialog", { name: "Payoff quote" });
    await quote.getByLabel("Date").fill(first[1]!.dueDate);
    await quote.getByRole("button", { name: "Quote", exact: true }).click();
    await quote.getByRole("alert").getByText("QUOTE_NOT_AVAILABLE").waitFor();
    await quote.getByLabel("Date").fill((await h.agreement(id)).businessDate);
    await quote.getByRole("button", { name: "Quote", exact: true }).click();
    await quote.locator("[data-component=unappliedFunds]").getByText(fmt(first[0]!.payment)).waitFor();
    await quote.getByText(/Actual\/Actual \(ICMA\)/).waitFor();
    await quote.getByRole("button", { name: "Close" }).click();
    await page.goto(`${h.web.url}/business-date`);
    await page.getByRole("button", { name: "Move the date forward" }).click();
    // Past the second due date: period 1 is paid from the funds, period 2 falls overdue.
    await page.getByLabel("New date").fill(first[1]!.dueDate);
    await page.getByRole("dialog").getByRole("button", { name: "Move it" }).click();
    await page.getByRole("heading", { name: "What the daily job did" }).waitFor();
    await openLoan(id);
    await waitFor(async () => (await chart.getAttribute("data-paid")) === "1", {
      what: "the chart to show period 1 paid",
    });
    expect((await h.agreement(id)).schedule[0].status).toBe("PAID");
    // Period 2 falls due today: the table and the balances show what PE says.
    const now = await h.agreement(id);
    await page.locator('[data-panel=schedule] tr[data-period="1"][data-status="PAID"]').waitFor();
    await page.locator(`[data-panel=schedule] tr[data-period="2"][data-status="${now.schedule[1].status}"]`).waitFor();
    await page.locator("[data-panel=balances] [data-total-due]").getByText(fmt(now.balances.totalDue)).waitFor();
    await page.locator("[data-panel=ledger] tr[data-tx=REPAYMENT]").getByText("principal").waitFor();
  });

  it("shows the gateway's backlog grow while it is down, and drain when it is back", async () => {
    const ids = [await h.apply(6), await h.apply(7), await h.apply(8)];
    for (const id of ids) await h.waitStatus(id, "APPROVED");
    await page.goto(`${h.web.url}/operations`);
    const toGateway = page.locator('[data-panel="ops-pe"] tr[data-destination="gateway"]');
    const gateway = h.test.system.gateway[0]!;
    await gateway.kill("SIGTERM");
    try {
      for (const id of ids) {
        const r = await h.pe("POST", `/agreements/${id}/disburse`, {
          destination: { accountNumber: "40817810000000000001" },
        });
        expect(r.status).toBe(202);
      }
      await waitFor(async () => Number(await toGateway.getAttribute("data-pending")) >= 3, { what: "a backlog of 3" });
      await page.locator('[data-panel="ops-pe"] tr[data-destination="gateway"][data-health="failing"]').waitFor();
      // The gateway's own panel says in words that it does not answer.
      await page.locator('[data-panel="ops-gateway"]').getByText("SERVICE_UNREACHABLE").first().waitFor();
    } finally {
      await gateway.start();
    }
    await waitFor(async () => (await toGateway.getAttribute("data-pending")) === "0", { what: "the backlog drained" });
    await page.locator('[data-panel="ops-pe"] tr[data-destination="gateway"][data-health="healthy"]').waitFor();
    for (const id of ids) await h.waitStatus(id, "ACTIVE");
  });

  it("requeues a dead letter from the Operations page, and the loan goes on", async () => {
    const origination = h.test.system.origination[0]!;
    await origination.kill("SIGTERM");
    let id = "";
    const db = new pg.Client({ connectionString: h.test.peDb.url });
    await db.connect();
    try {
      id = await h.apply(9);
      // What a delivery looks like once its attempts are spent: marked dead with its last error.
      await db.query(
        `update outbox_deliveries set dead_at = now(), leased_until = null, attempts = 585,
           last_error = 'origination answered 503 (test: attempts spent)'
         where aggregate_id = $1 and destination = 'origination' and delivered_at is null`,
        [id],
      );
      await db.query(`update outbox set dead_at = now() where aggregate_id = $1 and delivered_at is null`, [id]);
    } finally {
      await db.end();
      await origination.start();
    }
    await page.goto(`${h.web.url}/operations`);
    const letter = page.locator(`[data-panel="ops-pe"] li[data-dead="${id}"]`);
    try {
      await letter.getByText("origination answered 503 (test: attempts spent)").waitFor({ timeout: 10_000 });
    } catch (err) {
      await page.screenshot({ path: "/tmp/requeue-fail.png", fullPage: true });
      throw err;
    }
    await letter.getByRole("button", { name: "Requeue" }).click();
    const dialog = letter.getByRole("dialog", { name: "Requeue" });
    await dialog.getByRole("button", { name: "Requeue", exact: true }).click();
    await page
      .locator('[data-panel="ops-pe"] .note')
      .getByText(/Requeued message/)
      .waitFor();
    await letter.waitFor({ state: "detached" });
    await h.waitStatus(id, "APPROVED");
  }, 60_000);
});
