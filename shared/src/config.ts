import { withDatabase } from "@loans/db";
import { defaultUrl, REGISTRY_DATABASE, type ServiceEntry } from "@loans/db/services";
import { z } from "zod";

/**
 * Parses the environment once, at boot, into a frozen value. Every bad key is named in one error,
 * so an operator fixes them all in one go.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): Readonly<z.output<S>> {
  const r = schema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  return Object.freeze(r.data);
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const url = () => z.url({ protocol: /^https?$/ });
export const databaseUrl = () => z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL");
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const csv = () =>
  z
    .string()
    .optional()
    .transform((s) =>
      s
        ? s
            .split(",")
            .map((x) => x.trim())
            .filter(Boolean)
        : [],
    );

export const DEV_SERVICE_SECRET = "dev-service-secret-change-me";

/** Settings both services read, with the production guards the contract asks for. */
export const commonEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /**
   * One secret, or several comma-separated while one is rotated: the first signs, any verifies. The
   * value stays the text given; http/service-auth.ts reads the list from it.
   */
  SERVICE_SECRET: z
    .string()
    .default(DEV_SERVICE_SECRET)
    .superRefine((v, ctx) => {
      const secrets = v.split(",").map((s) => s.trim());
      if (secrets.some((s) => s.length < 16))
        ctx.addIssue({ code: "custom", message: "each comma-separated secret must be at least 16 characters" });
    }),
  API_KEYS: csv(),
  ADMIN_TOKEN: z.string().min(16).optional(),
  /** The operator registry (shared/src/operators/); unset: the service's own server, database `operators`. */
  OPERATORS_DATABASE_URL: databaseUrl().optional(),
  /** How long a checked operator token is trusted without asking the registry again: a revocation's delay. */
  OPERATOR_TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  /** How long an action waiting for a second operator (four-eyes, shared/src/approvals) stays open. */
  APPROVAL_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).optional(),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).optional(),
  OUTBOX_BASE_DELAY_MS: z.coerce.number().int().min(1).optional(),
  OUTBOX_MAX_DELAY_MS: z.coerce.number().int().min(1).optional(),
  OUTBOX_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1).optional(),
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).optional(),
  OUTBOX_PROBE_EVERY_MS: z.coerce.number().int().min(1).optional(),
  /** How long GET /events keeps an event (shared/src/events/retention.ts); an older cursor is answered 410. */
  EVENTS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** How long a client may take to send one whole request before its connection is cut. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1).default(30_000),
  /** After SIGTERM, how long the server keeps serving (`/ready` 503, `Connection: close`) before it stops accepting. */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).default(2_000),
});

export type CommonConfig = Readonly<z.output<typeof commonEnv>>;

type OwnVars<E extends ServiceEntry> = { [K in E["portVar"]]: ReturnType<typeof port> } & {
  [K in E["hostVar"]]: z.ZodDefault<z.ZodString>;
} & { [K in E["databaseVar"]]: ReturnType<typeof databaseUrl> };
type PeerVars<P extends ServiceEntry> = { [K in P["urlVar"]]: z.ZodDefault<ReturnType<typeof url>> };

/**
 * The settings every service reads, plus those its registry entry names (db/src/services.ts): its port
 * (the entry's default), host, database, and the URL of each peer it calls (the peer's default address).
 */
export function serviceEnv<E extends ServiceEntry, P extends ServiceEntry = never>(self: E, peers: readonly P[] = []) {
  const shape = {
    [self.portVar]: port(self.defaultPort),
    [self.hostVar]: z.string().default("127.0.0.1"),
    [self.databaseVar]: databaseUrl(),
    ...Object.fromEntries(peers.map((p) => [p.urlVar, url().default(defaultUrl(p))])),
  } as OwnVars<E> & PeerVars<P>;
  return commonEnv.extend(shape);
}

/** The relay settings an operator may set; unset ones keep the relay's defaults. */
export function relaySettings(c: z.output<typeof commonEnv>) {
  const all = {
    batchSize: c.OUTBOX_BATCH_SIZE,
    maxAttempts: c.OUTBOX_MAX_ATTEMPTS,
    baseDelayMs: c.OUTBOX_BASE_DELAY_MS,
    maxDelayMs: c.OUTBOX_MAX_DELAY_MS,
    requestTimeoutMs: c.OUTBOX_REQUEST_TIMEOUT_MS,
    retentionDays: c.OUTBOX_RETENTION_DAYS,
    probeEveryMs: c.OUTBOX_PROBE_EVERY_MS,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Partial<
    Record<keyof typeof all, number>
  >;
}

export function productionGuards(c: z.output<typeof commonEnv>, ctx: z.RefinementCtx): void {
  if (c.NODE_ENV !== "production") return;
  if (c.SERVICE_SECRET.split(",").some((s) => s.trim() === DEV_SERVICE_SECRET))
    ctx.addIssue({
      code: "custom",
      path: ["SERVICE_SECRET"],
      message: "the development default is refused in production",
    });
  if (c.API_KEYS.length === 0) ctx.addIssue({ code: "custom", path: ["API_KEYS"], message: "required in production" });
  if (!c.ADMIN_TOKEN) ctx.addIssue({ code: "custom", path: ["ADMIN_TOKEN"], message: "required in production" });
}

/** Where the operator registry is: OPERATORS_DATABASE_URL, or the service's own server's `operators`. */
export const operatorsDatabaseUrl = (c: { OPERATORS_DATABASE_URL?: string }, ownDatabaseUrl: string) =>
  c.OPERATORS_DATABASE_URL ?? withDatabase(ownDatabaseUrl, REGISTRY_DATABASE);
