/**
 * The whole system as `pnpm start` runs it (every service a real process, on databases cloned for the
 * caller), the console server in front of it, and Debian's Chromium driven by playwright-core. The
 * console's browser tests and `pnpm console:screenshots` both use it.
 */

import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { buildConsole } from "@loans/console/build";
import { type RunningConsole, startConsole } from "@loans/console/server";
import { waitFor } from "@loans/shared/test-kit/wait";
import { type Browser, chromium, type Page } from "playwright-core";
import { api, type Reply } from "./client.ts";
import { startTestSystem, type TestSystem } from "./test-system.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = () => existsSync(CHROMIUM);

export const API_KEY = "console-test-api-key";
export const ADMIN_TOKEN = "console-test-admin-token-0123";

export interface Harness {
  test: TestSystem;
  web: RunningConsole;
  browser: Browser;
  /** A page at `width` px that has given `token` (the admin token unless said) on the key form. */
  page(width?: number, token?: string): Promise<Page>;
  /** A new operator with `role` through the admin API (operators branch); resolves with its token, shown once. */
  operator(name: string, role: string): Promise<string>;
  /** Applies through PE's API; scoring approves it (an adult with a high income). */
  apply(n: number, overrides?: Record<string, unknown>): Promise<string>;
  agreement(id: string): Promise<Reply["body"]>;
  waitStatus(id: string, status: string): Promise<void>;
  pe(method: string, path: string, body?: unknown, headers?: Record<string, string>): ReturnType<typeof api>;
  /** Moves PE's manual business date (the daily job runs for every day crossed). */
  moveTo(date: string): Promise<void>;
  /** The client pays PG; resolves with PE's ledger journal once PE has applied the payment. */
  pay(id: string, amount: string, purpose?: "REGULAR" | "EARLY_REPAYMENT"): Promise<{ type: string; on: string }>;
  stop(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dist = await buildConsole();
  const test = await startTestSystem({ API_KEYS: API_KEY, ADMIN_TOKEN, BANK_LATENCY_MS: "20", ...env });
  const { system } = test;
  const web = await startConsole({
    dist,
    services: { pe: system.pe[0]!.url, origination: system.origination[0]!.url, gateway: system.gateway[0]!.url },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  const auth = { authorization: `Bearer ${API_KEY}` };
  const pe: Harness["pe"] = (method, path, body, headers = {}) =>
    api(system.peUrl, method, path, body, { ...auth, ...headers });
  const tag = Date.now().toString().slice(-6);
  const harness: Harness = {
    test,
    web,
    browser,
    async page(width = 1280, token = ADMIN_TOKEN) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(web.url);
      await page.getByLabel("API key, operator token or admin token").fill(token);
      await page.getByRole("button", { name: "Continue" }).click();
      await page.getByRole("heading", { name: "Pipeline" }).waitFor();
      return page;
    },
    async operator(name, role) {
      const r = await pe("POST", "/admin/operators", { name, role }, { authorization: `Bearer ${ADMIN_TOKEN}` });
      if (r.status !== 201) throw new Error(`operator ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      const t = r.body.token as string | { token: string };
      return typeof t === "string" ? t : t.token;
    },
    async apply(n, overrides = {}) {
      const r = await pe("POST", "/agreements", {
        productCode: "CL1.0",
        client: {
          firstName: "Ivan",
          lastName: "Petrov",
          birthDate: "1985-04-12",
          passportNumber: `45${tag}${String(n).padStart(2, "0")}`,
          email: "ivan@example.com",
          phone: "+79161234567",
          monthlyIncome: "400000.00",
        },
        disbursementAmount: "300000.00",
        termMonths: 12,
        interestRate: "12.5",
        originationFee: "5000.00",
        ...overrides,
      });
      if (r.status !== 201) throw new Error(`apply: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.id as string;
    },
    async agreement(id) {
      return (await pe("GET", `/agreements/${id}`)).body;
    },
    async waitStatus(id, status) {
      await waitFor(async () => (await harness.agreement(id)).status === status || undefined, {
        what: `${id} ${status}`,
        timeoutMs: 20_000,
      });
    },
    pe,
    async moveTo(date) {
      const r = await pe("POST", "/admin/business-date", { date }, { authorization: `Bearer ${ADMIN_TOKEN}` });
      if (r.status !== 200) throw new Error(`business date ${date}: ${r.status} ${JSON.stringify(r.body)}`);
    },
    async pay(id, amount, purpose = "REGULAR") {
      const r = await api(
        system.gateway[0]!.url,
        "POST",
        "/payments",
        { agreementId: id, amount, purpose, payer: { accountNumber: "40817810000000000007" } },
        { ...auth, "idempotency-key": randomUUID() },
      );
      if (r.status !== 202) throw new Error(`payment: ${r.status} ${JSON.stringify(r.body)}`);
      const paymentId = r.body.id as string;
      return waitFor(
        async () => {
          const t = await pe("GET", `/agreements/${id}/transactions?limit=100`);
          return t.body.items.find((i: { paymentId: string | null }) => i.paymentId === paymentId) ?? undefined;
        },
        { what: `payment ${paymentId} applied in PE`, timeoutMs: 20_000 },
      );
    },
    async stop() {
      await browser.close().catch(() => {});
      await web.close();
      await test.stop();
    },
  };
  return harness;
}
