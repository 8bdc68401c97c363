import type Router from "@koa/router";
import type { Context, Middleware, Next } from "koa";
import { bearer, callerScopeOf, isOpenPath, matchesAny, sameSecret } from "../http/api-keys.ts";
import { AppError } from "../http/errors.ts";
import type { Logger } from "../log.ts";
import { type Access, type Credential, decide, type Requirements } from "./access.ts";
import type { OperatorRegistry } from "./registry.ts";
import { BOOTSTRAP_ADMIN } from "./roles.ts";
import { looksLikeOperatorToken } from "./tokens.ts";

/** An endpoint's declaration: its RouteDoc's method, OpenAPI path and access. */
export interface Declared {
  method: string;
  path: string;
  access: Access;
}

interface GuardedRoute {
  methods: readonly string[];
  regexp: RegExp;
  access: Access;
}

// What a route nobody declared needs: the most, so that forgetting a declaration never opens an endpoint.
const UNDECLARED: Access = { role: "admin" };
// A path no route has (404, 405): what a public endpoint needs, so an unknown caller learns nothing more.
const UNROUTED: Access = { role: "viewer", apiKey: true };

/** `/agreements/:id` as a RouteDoc writes it: `/agreements/{id}`. */
export const openApiPath = (koaPath: string) => koaPath.replace(/:(\w+)/g, "{$1}");

/** Every method-bound route of the routers, in the order they are tried: what a request reaches. */
export function routesOf(routers: readonly Router[]) {
  return routers.flatMap((r) =>
    r.stack
      .filter((l) => l.methods.length > 0)
      .map((l) => ({
        methods: l.methods,
        path: typeof l.path === "string" ? openApiPath(l.path) : String(l.path),
        regexp: l.regexp,
      })),
  );
}

/** The routes registered on the routers that no RouteDoc declares (the kit's open paths aside). */
export function undeclaredRoutes(routers: readonly Router[], docs: readonly Declared[]): string[] {
  return routesOf(routers)
    .flatMap((r) => r.methods.filter((m) => m !== "HEAD").map((m) => ({ method: m, path: r.path })))
    .filter((r) => !isOpenPath(r.path) && !findDoc(docs, r.method, r.path))
    .map((r) => `${r.method} ${r.path}`);
}

const findDoc = (docs: readonly Declared[], method: string, path: string) =>
  docs.find((d) => d.method.toUpperCase() === method && d.path === path);

function guardedRoutes(routers: readonly Router[], docs: readonly Declared[]): GuardedRoute[] {
  return routesOf(routers).map((r) => {
    const method = r.methods.find((m) => m !== "HEAD") ?? "GET";
    return { methods: r.methods, regexp: r.regexp, access: findDoc(docs, method, r.path)?.access ?? UNDECLARED };
  });
}

export interface GuardOptions {
  routers: readonly Router[];
  docs: readonly Declared[];
  apiKeys: readonly string[];
  adminToken?: string;
  registry?: OperatorRegistry;
  log?: Logger;
}

/**
 * Enforces each route's declared access before anything else reads the request: 401 UNAUTHORIZED for a
 * missing or unknown credential, 403 FORBIDDEN (naming the role needed) for an operator without the
 * role. Sets `ctx.state.operator` for an operator, and `ctx.state.callerScope` for any credential.
 */
export function accessGuard(opts: GuardOptions): Middleware {
  const routes = guardedRoutes(opts.routers, opts.docs);
  const missing = undeclaredRoutes(opts.routers, opts.docs);
  if (missing.length > 0) opts.log?.warn("routes without a declared access need the admin role", { missing });
  const req: Requirements = { apiKeys: opts.apiKeys.length > 0, operators: Boolean(opts.adminToken) };
  return async (ctx: Context, next: Next) => {
    if (isOpenPath(ctx.path)) return next();
    const route = routes.find((r) => r.methods.includes(ctx.method) && r.regexp.test(ctx.path));
    const access = route?.access ?? UNROUTED;
    if (access === "open" || access === "service") return next();
    const decision = decide(access, await credentialOf(ctx, opts), req);
    if (!decision.allow && decision.status === 401) {
      ctx.set("WWW-Authenticate", `Bearer realm="${decision.realm}"`);
      throw new AppError("UNAUTHORIZED", decision.message);
    }
    if (!decision.allow) {
      // Known, only not allowed: the audit row of the refusal names who was refused.
      ctx.state.operator = decision.operator;
      throw new AppError("FORBIDDEN", `this endpoint needs role ${decision.required}; you are ${decision.role}`, [
        { path: "authorization", message: `needs role ${decision.required}`, required: decision.required },
      ]);
    }
    if (decision.operator) ctx.state.operator = decision.operator;
    const token = bearer(ctx);
    if (token && decision.operator) ctx.state.callerScope = callerScopeOf(token);
    else if (token && matchesAny(opts.apiKeys, token)) ctx.state.callerScope = callerScopeOf(token);
    return next();
  };
}

/** Who the Authorization header names: ADMIN_TOKEN, an API key, an operator of the registry, or no one. */
async function credentialOf(ctx: Context, opts: GuardOptions): Promise<Credential> {
  if (!ctx.get("authorization")) return { kind: "none" };
  const token = bearer(ctx);
  if (!token) return { kind: "malformed" };
  if (opts.adminToken && sameSecret(opts.adminToken, token)) return { kind: "operator", operator: BOOTSTRAP_ADMIN };
  if (matchesAny(opts.apiKeys, token)) return { kind: "apiKey" };
  if (!opts.registry || !looksLikeOperatorToken(token)) return { kind: "invalid" };
  const operator = await opts.registry.verify(token).catch((err: unknown) => {
    opts.log?.error("the operator registry cannot be read", { err });
    throw new AppError("DATABASE_UNAVAILABLE", "the operator registry is unavailable; try again shortly");
  });
  return operator ? { kind: "operator", operator } : { kind: "invalid" };
}
