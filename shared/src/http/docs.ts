import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import Router from "@koa/router";
import { z } from "zod";
import { type AnyEventType, dataschemaOf } from "../events/catalog.ts";

// Served from the swagger-ui-dist package on disk: the page fetches nothing from outside.
const assetsDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const json = (v: unknown) => escapeHtml(JSON.stringify(v, null, 2));

/** The service's business events, rendered here from the catalog: the AsyncAPI document in words. */
function eventsSection(events: readonly AnyEventType[]): string {
  const items = events.map((e) => {
    // Without its $schema URL: the page names nothing outside the service.
    const { $schema: _, ...schema } = z.toJSONSchema(e.data, { unrepresentable: "any" });
    const later = e.emitted ? "" : " <em>(defined, not emitted yet)</em>";
    return `<li id="event-${escapeHtml(e.type)}"><h3><code>${escapeHtml(e.type)}</code>${later}</h3>
    <p>${escapeHtml(e.summary)}. Subject: ${escapeHtml(e.subject)}. <code>${escapeHtml(dataschemaOf(e))}</code></p>
    <details><summary>data schema</summary><pre>${json(schema)}</pre></details>
    <details><summary>example data</summary><pre>${json(e.example.data)}</pre></details></li>`;
  });
  return `<section id="events" style="font-family: sans-serif; max-width: 1460px; margin: 0 auto; padding: 0 20px 40px">
  <h2>Events</h2>
  <p>Read from <code>GET /events</code> (a cursor held by the consumer, every event once, in <code>sequence</code>
  order); described by the AsyncAPI 3.0 document <a href="/asyncapi.json">/asyncapi.json</a>.</p>
  <ul>${items.join("\n")}</ul>
</section>`;
}

function page(title: string, specUrl: string, events: readonly AnyEventType[]): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)} API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <p style="font-family: sans-serif; max-width: 1460px; margin: 12px auto; padding: 0 20px">
    <a href="${escapeHtml(specUrl)}">OpenAPI document</a> · <a href="/asyncapi.json">AsyncAPI document</a> ·
    <a href="#events">Events</a></p>
  <div id="swagger-ui"></div>
  ${eventsSection(events)}
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: "#swagger-ui", deepLinking: true });
  </script>
</body>
</html>`;
}

/**
 * `GET /docs`: the service's OpenAPI document rendered by Swagger UI, a link to its AsyncAPI document and
 * its business events (`events`, the contracts' catalog for the service) listed with their schemas.
 */
export function docsRoutes(opts: { title: string; specUrl?: string; events?: readonly AnyEventType[] }): Router {
  const html = page(opts.title, opts.specUrl ?? "/openapi.json", opts.events ?? []);
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
