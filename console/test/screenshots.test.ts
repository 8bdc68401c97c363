/**
 * `pnpm console:screenshots` (this file with SCREENSHOTS=1; skipped in `pnpm test`): starts the system on
 * databases of its own, makes a few loans, and writes each page of the console as a PNG under
 * docs/console/, at 1280 px, and one loan at 390 px.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { it } from "vitest";
import { hasChromium, startHarness } from "../test-kit/harness.ts";

const out = join(import.meta.dirname, "..", "..", "docs", "console");
const wanted = process.env.SCREENSHOTS === "1" && hasChromium();

it.skipIf(!wanted)(
  "writes the console's screenshots to docs/console/",
  async () => {
    mkdirSync(out, { recursive: true });
    const h = await startHarness();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await h.apply(20 + i, { disbursementAmount: `${150_000 + i * 40_000}.00` }));
      for (const id of ids) await h.waitStatus(id, "APPROVED");
      await h.pe("POST", `/agreements/${ids[0]}/disburse`, { destination: { accountNumber: "40817810000000000001" } });
      await h.pe("POST", `/agreements/${ids[1]}/disburse`, { destination: { accountNumber: "40817810000000000001" } });
      await h.pe("POST", `/agreements/${ids[5]}/withdraw`);
      await h.waitStatus(ids[0]!, "ACTIVE");
      await h.waitStatus(ids[1]!, "ACTIVE");
      const page = await h.page(1280);
      const shot = async (name: string) => {
        await page.waitForTimeout(2500);
        await page.screenshot({ path: join(out, name), fullPage: true });
        console.log(`wrote docs/console/${name}`);
      };
      await page.locator("tr[data-agreement]").first().waitFor();
      await shot("pipeline.png");
      await page.goto(`${h.web.url}/loans/${ids[0]}`);
      await page.locator("[data-panel=money] [data-payout]").first().waitFor();
      await shot("loan.png");
      await page.goto(`${h.web.url}/operations`);
      await page.locator('[data-panel="ops-pe"] tr[data-destination]').first().waitFor();
      await shot("operations.png");
      await page.goto(`${h.web.url}/business-date`);
      await shot("business-date.png");
      const narrow = await h.page(390);
      await narrow.goto(`${h.web.url}/loans/${ids[1]}`);
      await narrow.locator("[data-panel=money] [data-payout]").first().waitFor();
      await narrow.waitForTimeout(2500);
      await narrow.screenshot({ path: join(out, "loan-390.png"), fullPage: true });
      console.log("wrote docs/console/loan-390.png");
    } finally {
      await h.stop();
    }
  },
  120_000,
);
