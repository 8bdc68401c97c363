import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { application, call, startTestPe, type TestPe } from "../../pe/test/helpers.ts";
import { CHROMIUM, hasChromium } from "../kit/console-harness.ts";

// GET /agreements/{id}/terms printed by Debian's Chromium: the PSK's frame must sit in the top right corner
// of the first page (353-FZ art. 6 part 14), whatever the length of the schedule below it.
const suite = hasChromium() ? describe : describe.skip;

// A4 at 96 px per inch, less the sheet's 15 mm margins: the printed page's content box.
const MM = 96 / 25.4;
const CONTENT = { width: (210 - 30) * MM, height: (297 - 30) * MM };

let pe: TestPe;
let browser: Browser;
beforeAll(async () => {
  if (!hasChromium()) return;
  pe = await startTestPe({ BUSINESS_CLOCK: "manual", BUSINESS_DATE_START: "2025-01-10" });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await pe?.stop();
});

suite(hasChromium() ? "the terms sheet in Chromium" : "the terms sheet (skipped: no /usr/bin/chromium)", () => {
  it.each([12, 24])("a %i-month loan: the PSK framed in the top right corner of page 1", async (termMonths) => {
    const created = await call(pe.url, "POST", "/agreements", application({ termMonths }));
    expect(created.status).toBe(201);
    const page = await browser.newPage({ viewport: { width: Math.floor(CONTENT.width), height: 900 } });
    await page.goto(`${pe.url}/agreements/${created.body.id}/terms`);
    await page.emulateMedia({ media: "print" });
    const frame = page.locator("#psk");
    expect(await frame.textContent()).toContain(
      termMonths === 12 ? "15,655" : created.body.psk.percent.replace(".", ","),
    );
    const box = (await frame.boundingBox())!;
    // On the first page, at its top, against its right edge.
    expect(box.y).toBeLessThan(5 * MM);
    expect(box.y + box.height).toBeLessThan(CONTENT.height);
    expect(box.x).toBeGreaterThan(CONTENT.width / 2);
    expect(Math.abs(box.x + box.width - CONTENT.width)).toBeLessThan(2);
    // At least 5 % of the sheet's area.
    expect(box.width * box.height).toBeGreaterThanOrEqual(0.05 * 210 * 297 * MM * MM);
    // The schedule runs on below it; the PDF Chromium prints has every row and pages of their own.
    const rows = await page.locator("table.schedule tbody tr").count();
    expect(rows).toBe(termMonths);
    const pdf = await page.pdf({ preferCSSPageSize: true });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    await page.close();
  });
});
