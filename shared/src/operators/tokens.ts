import { randomBytes, randomUUID } from "node:crypto";

/**
 * An operator token: `op_<token id, 32 hex>_<secret, 32 random bytes in base64url>`. The id is not secret:
 * it finds the one row whose argon2id hash the secret is checked against, so a check costs one hash
 * however many tokens exist. The `op_` prefix makes a leaked token easy to recognise (secret scanners).
 */
export interface ParsedToken {
  tokenId: string;
  secret: string;
}

const TOKEN = /^op_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export const looksLikeOperatorToken = (s: string) => s.startsWith("op_");

/** The token's id (a uuid) and secret, or null when it is not a well-formed operator token. */
export function parseToken(token: string): ParsedToken | null {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const hex = m[1]!;
  const tokenId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { tokenId, secret: m[2]! };
}

export const formatToken = (t: ParsedToken) => `op_${t.tokenId.replaceAll("-", "")}_${t.secret}`;

/** A new token: a fresh id and 32 bytes from the system's CSPRNG. */
export function newToken(): ParsedToken & { token: string } {
  const t = { tokenId: randomUUID(), secret: randomBytes(32).toString("base64url") };
  return { ...t, token: formatToken(t) };
}

/** What a list shows of a token: its non-secret prefix and the secret's last four characters. */
export const displayOf = (tokenId: string, last4: string) => `op_${tokenId.replaceAll("-", "")}_…${last4}`;
