import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import Router from "@koa/router";

// Served from the swagger-ui-dist package on disk: the page fetches nothing from outside.
const assetsDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, specUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)} API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: "#swagger-ui", deepLinking: true });
  </script>
</body>
</html>`;
}

/** `GET /docs`: the service's OpenAPI document rendered by Swagger UI. */
export function docsRoutes(opts: { title: string; specUrl?: string }): Router {
  const html = page(opts.title, opts.specUrl ?? "/openapi.json");
  const router = new Router();
  router.get("/docs", (ctx) => {
    ctx.type = "text/html; charset=utf-8";
    ctx.body = html;
  });
  router.get("/docs/:file", async (ctx) => {
    const type = ASSETS[ctx.params.file ?? ""];
    if (!type) return; // not one of ours: the 404 renderer answers
    ctx.type = type;
    ctx.set("Cache-Control", "public, max-age=86400");
    ctx.body = await readFile(join(assetsDir, ctx.params.file as string));
  });
  return router;
}
