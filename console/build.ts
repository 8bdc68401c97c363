/**
 * Builds the console into console/dist/ with Vite (its config beside this file). `pnpm start`, the
 * console's tests and `pnpm console:build` call it; it takes a second or two.
 */
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
export const consoleDist = join(here, "dist");

export async function buildConsole(): Promise<string> {
  await build({ configFile: join(here, "vite.config.ts") });
  return consoleDist;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  await buildConsole();
  console.log(`built ${consoleDist} in ${Date.now() - started} ms`);
}
