import { createHash } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import pg from "pg";
import { z } from "zod";
import { isRole, type Operator, ROLES, type Role } from "./roles.ts";
import { displayOf, newToken, parseToken } from "./tokens.ts";

/** An operator's name: what the audit trail shows; plain characters only, so a log line cannot be forged. */
export const operatorName = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,100}$/, "1–100 of A-Z a-z 0-9 . _ @ -")
  .meta({ example: "anna.officer" });

export const roleSchema = z.enum(ROLES, { error: `must be one of ${ROLES.join(", ")}` });

export interface TokenRecord {
  id: string;
  /** The token's non-secret prefix and the secret's last four characters. */
  display: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface OperatorRecord {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  tokens: TokenRecord[];
}

/** A token as issued: the only time its whole text is shown. */
export interface IssuedToken extends TokenRecord {
  token: string;
}

export class OperatorExists extends Error {
  override name = "OperatorExists";
}

export interface RegistryOptions {
  /** How long a checked token's answer is kept in memory: a revocation reaches other processes within it. */
  cacheMs?: number;
}

interface Cached {
  operator: Operator | null;
  tokenId: string;
  until: number;
}

// A flood of made-up tokens must not grow the cache without end: past this many it starts afresh.
const CACHE_LIMIT = 10_000;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/**
 * The operator registry over its database (db/operators/). Tokens are checked here, in the service's own
 * process: no call to a peer that may be down, one argon2id verification per token per `cacheMs`.
 */
export class OperatorRegistry {
  private readonly cache = new Map<string, Cached>();
  private readonly cacheMs: number;

  constructor(
    readonly pool: pg.Pool,
    opts: RegistryOptions = {},
  ) {
    this.cacheMs = opts.cacheMs ?? 5_000;
  }

  /** A small pool of its own on the registry's database; nothing connects until it is used. */
  static open(url: string, opts: RegistryOptions = {}): OperatorRegistry {
    const pool = new pg.Pool({ connectionString: url, max: 2, idleTimeoutMillis: 10_000 });
    // An idle client's error (the server restarting) must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
    return new OperatorRegistry(pool, opts);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /** The operator a token belongs to, or null: malformed, unknown, revoked or a wrong secret. */
  async verify(token: string): Promise<Operator | null> {
    const parsed = parseToken(token);
    if (!parsed) return null;
    const key = sha256(token);
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.operator;
    const { rows } = await this.pool.query(
      `select t.hash, t.revoked_at, o.id, o.name, o.role
       from operator_tokens t join operators o on o.id = t.operator_id where t.id = $1`,
      [parsed.tokenId],
    );
    const row = rows[0];
    const good = row && row.revoked_at === null && isRole(row.role) && (await verify(row.hash, parsed.secret));
    const operator: Operator | null = good
      ? { id: row.id, name: row.name, role: row.role, tokenId: parsed.tokenId }
      : null;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    if (this.cacheMs > 0) this.cache.set(key, { operator, tokenId: parsed.tokenId, until: Date.now() + this.cacheMs });
    return operator;
  }

  /** A new operator with a first token; `OperatorExists` when the name is taken. */
  async addOperator(input: { name: string; role: Role }, createdBy: string) {
    const client = await this.pool.connect();
    try {
      await client.query("begin");
      const { rows } = await client.query(
        `insert into operators (id, name, role, created_by) values (gen_random_uuid(), $1, $2, $3)
         on conflict (name) do nothing returning id, name, role, created_at, created_by`,
        [input.name, input.role, createdBy],
      );
      if (!rows[0]) throw new OperatorExists(`an operator named ${input.name} exists`);
      const token = await this.insertToken(client, rows[0].id);
      await client.query("commit");
      return { operator: toOperator(rows[0], [token]), token };
    } catch (err) {
      await client.query("rollback");
      throw err;
    } finally {
      client.release();
    }
  }

  /** One operator with its tokens, or null. */
  async findOperator(id: string): Promise<OperatorRecord | null> {
    return (await this.listOperators(id))[0] ?? null;
  }

  /** Every operator (or the one of `id`) with its tokens (never their secrets), by name. */
  async listOperators(id?: string): Promise<OperatorRecord[]> {
    const { rows } = await this.pool.query(
      `select o.id, o.name, o.role, o.created_at, o.created_by,
              coalesce(json_agg(json_build_object('id', t.id, 'last4', t.last4, 'createdAt', t.created_at,
                'revokedAt', t.revoked_at) order by t.created_at) filter (where t.id is not null), '[]') as tokens
       from operators o left join operator_tokens t on t.operator_id = o.id
       where $1::uuid is null or o.id = $1
       group by o.id order by o.name`,
      [id ?? null],
    );
    return rows.map((r) =>
      toOperator(
        r,
        r.tokens.map((t: { id: string; last4: string; createdAt: string; revokedAt: string | null }) => ({
          id: t.id,
          display: displayOf(t.id, t.last4),
          createdAt: new Date(t.createdAt).toISOString(),
          revokedAt: t.revokedAt && new Date(t.revokedAt).toISOString(),
        })),
      ),
    );
  }

  /** Another token for an operator; null when there is no such operator. */
  async issueToken(operatorId: string): Promise<IssuedToken | null> {
    const { rowCount } = await this.pool.query("select 1 from operators where id = $1", [operatorId]);
    if (rowCount === 0) return null;
    return this.insertToken(this.pool, operatorId);
  }

  /**
   * Revokes a token (of that operator, when one is named); false when there is none to revoke. This
   * process forgets it at once; the others within their cache's time (`cacheMs`).
   */
  async revokeToken(tokenId: string, operatorId?: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `update operator_tokens set revoked_at = now()
       where id = $1 and ($2::uuid is null or operator_id = $2) and revoked_at is null`,
      [tokenId, operatorId ?? null],
    );
    for (const [key, c] of this.cache) if (c.tokenId === tokenId) this.cache.delete(key);
    return rowCount === 1;
  }

  private async insertToken(q: pg.Pool | pg.PoolClient, operatorId: string): Promise<IssuedToken> {
    const t = newToken();
    const last4 = t.secret.slice(-4);
    const { rows } = await q.query(
      `insert into operator_tokens (id, operator_id, hash, last4) values ($1, $2, $3, $4) returning created_at`,
      [t.tokenId, operatorId, await hash(t.secret), last4],
    );
    return {
      id: t.tokenId,
      token: t.token,
      display: displayOf(t.tokenId, last4),
      createdAt: rows[0].created_at.toISOString(),
      revokedAt: null,
    };
  }
}

function toOperator(
  r: { id: string; name: string; role: string; created_at: Date; created_by: string },
  tokens: TokenRecord[],
): OperatorRecord {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    tokens: tokens.map(({ id, display, createdAt, revokedAt }) => ({ id, display, createdAt, revokedAt })),
  };
}
