import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestOrigination } from "../../origination/test/helpers.ts";
import { startTestPe, type TestPe } from "../../pe/test/helpers.ts";

let pe: TestPe;
let origination: Awaited<ReturnType<typeof startTestOrigination>>;

beforeAll(async () => {
  pe = await startTestPe();
  origination = await startTestOrigination();
});
afterAll(async () => {
  await pe?.stop();
  await origination?.service.stop();
  await origination?.database.drop();
});

describe("GET /docs", () => {
  it("serves Swagger UI over each service's own OpenAPI document, with its assets from the package", async () => {
    for (const base of [pe.url, origination.service.url]) {
      const page = await fetch(`${base}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/text\/html/);
      const html = await page.text();
      expect(html).toContain('url: "/openapi.json"');
      // The events: a link to the AsyncAPI document, and each of the service's own types with its schema.
      expect(html).toContain('href="/asyncapi.json"');
      const own = base === pe.url ? "agreement.status-changed" : "application.decided";
      const other = base === pe.url ? "application.decided" : "agreement.status-changed";
      expect(html).toContain(`id="event-${own}"`);
      expect(html).not.toContain(`id="event-${other}"`);
      const asyncApi = await fetch(`${base}/asyncapi.json`);
      expect(asyncApi.status).toBe(200);
      expect(((await asyncApi.json()) as { asyncapi: string }).asyncapi).toBe("3.0.0");
      // Nothing from outside: every script and stylesheet is served here.
      expect(html).not.toMatch(/https?:\/\//);
      const js = await fetch(`${base}/docs/swagger-ui-bundle.js`);
      expect(js.status).toBe(200);
      expect(js.headers.get("content-type")).toMatch(/javascript/);
      expect((await js.text()).length).toBeGreaterThan(100_000);
      expect((await fetch(`${base}/docs/swagger-ui.css`)).status).toBe(200);
    }
  });

  it("serves nothing else from the package folder", async () => {
    for (const path of ["/docs/package.json", "/docs/..%2f..%2fpackage.json", "/docs/index.html"]) {
      const r = await fetch(`${pe.url}${path}`);
      expect(r.status).toBe(404);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    }
  });
});

// Debian's chromium, which .ci/run installs; on a machine without it this test says so and is skipped.
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`${CHROMIUM} not found: skipping the rendering of /docs in a browser`);

async function chromium(...args: string[]): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), "chromium-"));
  const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"];
  const quiet = ["--disable-background-networking", "--disable-component-update", "--disable-sync"];
  const { stdout } = await promisify(execFile)(CHROMIUM, [...flags, ...quiet, `--user-data-dir=${profile}`, ...args], {
    timeout: 60_000,
    maxBuffer: 32 * 1024 * 1024,
  });
  return stdout;
}

describe.skipIf(!hasChromium)("/docs in headless Chromium", () => {
  it("renders every operation of both services, and a screenshot of PE's page", async () => {
    const budget = "--virtual-time-budget=10000";
    const peDom = await chromium(budget, "--dump-dom", `${pe.url}/docs`);
    for (const path of ["/agreements", "/agreements/{id}", "/agreements/{id}/withdraw", "/products", "/clients/{id}"]) {
      expect(peDom).toContain(`data-path="${path}"`);
    }
    const originationDom = await chromium(budget, "--dump-dom", `${origination.service.url}/docs`);
    expect(originationDom).toContain('data-path="/applications/{agreementId}"');
    const shot = join(mkdtempSync(join(tmpdir(), "docs-")), "pe-docs.png");
    await chromium(budget, "--window-size=1280,1000", `--screenshot=${shot}`, `${pe.url}/docs`);
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    console.log(`screenshot of PE's /docs: ${shot}`);
  }, 120_000);
});
