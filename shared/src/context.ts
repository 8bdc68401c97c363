import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/**
 * The request id of the work in progress, carried through awaits without being passed by hand: the
 * HTTP layer opens it for each request, the outbox stores it beside each message it enqueues, and the
 * receiving service reopens it for that message, so one id follows an application across both services.
 */
const storage = new AsyncLocalStorage<{ requestId: string }>();

export const REQUEST_ID_HEADER = "x-request-id";

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Runs `fn` with `requestId` as the current id; without one, `fn` runs in the context it was called in. */
export function withRequestId<T>(requestId: string | null | undefined, fn: () => T): T {
  return requestId ? storage.run({ requestId }, fn) : fn();
}

/** Runs `fn` outside any request: work done on behalf of several requests at once is none of theirs. */
export function outsideRequests<T>(fn: () => T): T {
  return storage.exit(fn);
}

export function newRequestId(): string {
  return randomUUID();
}

// A caller's id is taken as it is only if it is short and plain: it goes into logs and other services.
const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's id when it is acceptable, else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && ACCEPTED.test(value) ? value : newRequestId();
}
