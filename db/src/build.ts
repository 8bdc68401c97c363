/**
 * Builds each service into one JavaScript file, `<service>/dist/main.mjs`: the workspace's own code
 * (`@loans/*`) bundled, npm packages left as imports that resolve from the service's node_modules. The
 * services then run on plain `node`, without the TypeScript loader: it keeps a thread with a V8 heap of
 * its own (about 27 MB) and transpiles at start. `pnpm start`, the tests, the soak and the benchmarks all
 * run these files; `pnpm build` makes them by hand.
 */
import { readFileSync } from "node:fs";
import { rename } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const SERVICES = ["pe", "origination", "gateway"] as const;
export type Service = (typeof SERVICES)[number];

export const bundlePath = (service: Service) => join(root, service, "dist", "main.mjs");

const builtins = new Set(builtinModules);

/** npm packages stay imports; one the service does not declare would fail at run time, so it fails here. */
function externalPackages(service: Service): Plugin {
  const manifest = JSON.parse(readFileSync(join(root, service, "package.json"), "utf8"));
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));
  return {
    name: "external-packages",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith("@loans/")) return undefined;
        const name = args.path.startsWith("@") ? args.path.split("/").slice(0, 2).join("/") : args.path.split("/")[0]!;
        if (args.path.startsWith("node:") || builtins.has(name)) return { external: true };
        if (!declared.has(name)) {
          return {
            errors: [{ text: `${name} is imported (by ${args.importer}) but is not a dependency of ${manifest.name}` }],
          };
        }
        return { external: true };
      });
    },
  };
}

/** Builds every service; each file is written whole, then renamed into place, so no reader sees half. */
export async function buildServices(): Promise<void> {
  await Promise.all(
    SERVICES.map(async (service) => {
      const out = bundlePath(service);
      const tmp = `${out}.${process.pid}.tmp.mjs`;
      await build({
        entryPoints: [join(root, service, "src", "main.ts")],
        outfile: tmp,
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        sourcemap: "inline",
        logLevel: "error",
        plugins: [externalPackages(service)],
      });
      await rename(tmp, out);
    }),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  await buildServices();
  console.log(`built ${SERVICES.map(bundlePath).join(", ")} in ${Date.now() - started} ms`);
}
