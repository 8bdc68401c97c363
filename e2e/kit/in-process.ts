import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestGateway } from "../../gateway/test/helpers.ts";
import { startTestOrigination } from "../../origination/test/helpers.ts";
import { startTestPe } from "../../pe/test/helpers.ts";

/** One service running in this process on a cloned test database, over real HTTP. */
export interface RunningService {
  name: string;
  url: string;
  stop(): Promise<void>;
}

export interface ServiceEntry {
  /** The workspace folder: pe, origination, … */
  name: string;
  start(env?: Record<string, string>): Promise<RunningService>;
}

/**
 * Every service of the workspace, started in-process for the tests that hold for all of them (the OpenAPI
 * lint, the alert rules against /metrics). A new service adds its line here; `workspaceServices` finds
 * the folders, so a service missing from this list fails a test instead of going unchecked.
 */
export const SERVICES: ServiceEntry[] = [
  {
    name: "pe",
    async start(env = {}) {
      const pe = await startTestPe(env);
      return { name: "pe", url: pe.url, stop: pe.stop };
    },
  },
  {
    name: "origination",
    async start(env = {}) {
      const o = await startTestOrigination(env);
      return {
        name: "origination",
        url: o.service.url,
        async stop() {
          await o.service.stop();
          await o.database.drop();
        },
      };
    },
  },
  {
    name: "gateway",
    async start(env = {}) {
      const g = await startTestGateway(env);
      return { name: "gateway", url: g.service.url, stop: g.stop };
    },
  },
];

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Workspace folders that hold a service: those with `src/main.ts`. */
export function workspaceServices(): string[] {
  return readdirSync(ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith(".") && d.name !== "node_modules")
    .filter((d) => hasMain(join(ROOT, d.name, "src")))
    .map((d) => d.name)
    .sort();
}

const hasMain = (src: string) => {
  try {
    return readdirSync(src).includes("main.ts");
  } catch {
    return false;
  }
};
