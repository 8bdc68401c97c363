/**
 * Builds the bench's baseline entries (bench/baseline/<service>.ts: the service with the pg-boss baseline
 * in place of its relay) into `<service>/dist/baseline.mjs`, beside the service's own bundle: the
 * workspace's code inlined, npm packages left as imports that resolve from the service's node_modules.
 * Only `pnpm bench` builds and runs them; no production build includes this code.
 */
import { rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SERVICES = ["pe", "origination"] as const;

export const baselinePath = (service: (typeof SERVICES)[number]) => join(root, service, "dist", "baseline.mjs");

const packagesExternal: Plugin = {
  name: "packages-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith("@loans/") ? undefined : { external: true }));
  },
};

/** The daily job's pg-boss baseline (bench/baseline/cob.ts), built beside PE's bundle to resolve PE's packages. */
export const cobBaselinePath = () => join(root, "pe", "dist", "baseline-cob.mjs");

export async function buildBaselines(): Promise<{ pe: string; origination: string }> {
  const entries = [
    ...SERVICES.map((service) => ({ source: `${service}.ts`, out: baselinePath(service) })),
    { source: "cob.ts", out: cobBaselinePath() },
  ];
  await Promise.all(
    entries.map(async ({ source, out }) => {
      const tmp = `${out}.${process.pid}.tmp.mjs`;
      await build({
        entryPoints: [join(root, "bench", "baseline", source)],
        outfile: tmp,
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        sourcemap: "inline",
        logLevel: "error",
        plugins: [packagesExternal],
      });
      await rename(tmp, out);
    }),
  );
  return { pe: baselinePath("pe"), origination: baselinePath("origination") };
}
