/**
 * `pnpm console:screenshots` (this file with SCREENSHOTS=1; skipped in `pnpm test`): starts the system on
 * databases of its own with PE's manual clock, gives a few loans a history, and writes each page of the
 * console as a PNG under docs/console/, at 1280 px, and the loan with a history at 390 px.
 *
 * The loans, created on 2025-01-10 and disbursed on 2025-01-15 (the worked example's terms, LIFECYCLE §5):
 * one paid on time on 02-15, ten days late with a penalty on 03-25, then 50 000.00 paid early on 04-02
 * that waits as unapplied funds; one paid off and CLOSED on 02-15; one never paid, overdue since 02-15.
 * The business date ends on 2025-04-10. Besides the pages: the first loan's payoff quote (loan-quote.png) and
 * the overdue loan (loan-overdue.png).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { it } from "vitest";
import { hasChromium, startHarness } from "../kit/console-harness.ts";

const out = join(import.meta.dirname, "..", "..", "docs", "console");
const wanted = process.env.SCREENSHOTS === "1" && hasChromium();
const ACCOUNT = { destination: { accountNumber: "40817810000000000001" } };

it.skipIf(!wanted)(
  "writes the console's screenshots to docs/console/",
  async () => {
    mkdirSync(out, { recursive: true });
    const h = await startHarness({
      BUSINESS_CLOCK: "manual",
      BUSINESS_DATE_START: "2025-01-10",
      BANK_LATENCY_MS: "0",
      OUTBOX_BASE_DELAY_MS: "50",
      OUTBOX_MAX_DELAY_MS: "500",
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++)
        ids.push(await h.apply(20 + i, i === 0 ? {} : { disbursementAmount: `${150_000 + i * 40_000}.00` }));
      for (const id of ids) await h.waitStatus(id, "APPROVED");
      const [history, closed, overdue] = ids as [string, string, string];
      await h.moveTo("2025-01-15");
      for (const id of [history, closed, overdue]) await h.pe("POST", `/agreements/${id}/disburse`, ACCOUNT);
      await h.pe("POST", `/agreements/${ids[5]}/withdraw`);
      for (const id of [history, closed, overdue]) await h.waitStatus(id, "ACTIVE");

      await h.moveTo("2025-02-15");
      await h.pay(history, "27170.27");
      const due = (await h.agreement(closed)).schedule[0].payment as string;
      await h.pay(closed, due);
      const payoff = (await h.pe("GET", `/agreements/${closed}/payoff-quote?date=2025-02-15`)).body;
      await h.pay(closed, payoff.amount, "EARLY_REPAYMENT");
      await h.waitStatus(closed, "CLOSED");
      await h.moveTo("2025-03-25");
      await h.pay(history, "27303.11");
      await h.moveTo("2025-04-02");
      await h.pay(history, "50000.00", "EARLY_REPAYMENT");

      const shot = async (p: Page, name: string) => {
        await p.waitForTimeout(2500);
        await p.screenshot({ path: join(out, name), fullPage: true });
        console.log(`wrote docs/console/${name}`);
      };
      const openLoan = async (p: Page, id: string) => {
        await p.goto(`${h.web.url}/loans/${id}`);
        await p.locator("[data-panel=money] [data-payout]").first().waitFor();
        await p.locator("[data-panel=ledger] tr[data-tx]").first().waitFor();
      };
      const page = await h.page(1280);
      // The last eight days through the Business date page, so that it shows what the daily job did.
      await page.goto(`${h.web.url}/business-date`);
      await page.getByRole("button", { name: "Move the date forward" }).click();
      await page.getByLabel("New date").fill("2025-04-10");
      await page.getByRole("dialog").getByRole("button", { name: "Move it" }).click();
      await page.getByRole("heading", { name: "What the daily job did" }).waitFor();
      await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
      await shot(page, "business-date.png");
      await page.goto(h.web.url);
      await page.locator("tr[data-agreement]").first().waitFor();
      await shot(page, "pipeline.png");
      await openLoan(page, history);
      // The late payment's journal opened, to show its debit and credit entries.
      await page.locator("[data-panel=ledger] tr[data-tx=REPAYMENT]").nth(1).getByRole("button").click();
      await shot(page, "loan.png");
      await page.getByRole("button", { name: "Payoff quote", exact: true }).click();
      const quote = page.getByRole("dialog", { name: "Payoff quote" });
      await quote.getByRole("button", { name: "Quote", exact: true }).click();
      await quote.locator("[data-quote]").waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(out, "loan-quote.png") });
      console.log("wrote docs/console/loan-quote.png");
      await quote.getByRole("button", { name: "Close" }).click();
      await openLoan(page, overdue);
      await shot(page, "loan-overdue.png");
      await page.goto(`${h.web.url}/operations`);
      await page.locator('[data-panel="ops-pe"] tr[data-destination]').first().waitFor();
      await shot(page, "operations.png");
      const narrow = await h.page(390);
      await openLoan(narrow, history);
      await shot(narrow, "loan-390.png");
    } finally {
      await h.stop();
    }
  },
  240_000,
);
