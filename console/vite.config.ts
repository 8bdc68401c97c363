import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** The console's bundle: Preact's automatic JSX runtime, everything bundled into dist/ (nothing from a CDN). */
export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  base: "/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
});
