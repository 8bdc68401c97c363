import { createHash } from "node:crypto";

// A fixed namespace for refund payout ids: uuidv5(namespace, paymentId) is the same on every retry.
const NAMESPACE = "6f1c0c5e-3b57-4d0a-9a51-6a1f8a0c2e41";

/** RFC 9562 UUID version 5 (SHA-1) of `name` in `namespace`. */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replaceAll("-", ""), "hex");
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The REFUND payout's id for a payment (LIFECYCLE §2.6): derived, so it is created once. */
export const refundPayoutId = (paymentId: string): string => uuidV5(NAMESPACE, paymentId.toLowerCase());
