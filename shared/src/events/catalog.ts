import type { z } from "zod";

/**
 * One public business event type (EVENTS §2), defined once in the contracts package (contracts/src/events/)
 * and read by the writer (`emitEvent`), the feed, the AsyncAPI document and the docs page. Unlike a topic it
 * has one schema: what is sent is what a consumer reads.
 *
 * - `type`: the envelope's `type`, "agreement.status-changed".
 * - `source`: the service that emits it (its registry name), the envelope's `source`.
 * - `version`: bumped for a change that breaks a consumer; the envelope's dataschema names it.
 * - `emitted`: false for a type defined ahead of the change that will emit it (a later issue's), so the
 *   documents can say so.
 */
export interface EventType<Data> {
  readonly type: string;
  readonly source: string;
  readonly version: number;
  readonly summary: string;
  /** The envelope's `subject`: what it is the id of (the order is kept per subject). */
  readonly subject: string;
  readonly data: z.ZodType<Data>;
  readonly example: { readonly subject: string; readonly businessdate?: string; readonly data: Data };
  readonly emitted: boolean;
}

/** `defineEvent<Data>()({...})`: does not compile unless the schema's output is `Data` and the example is one. */
export const defineEvent =
  <Data>() =>
  <S extends z.ZodType<Data>>(def: {
    type: string;
    source: string;
    version: number;
    summary: string;
    subject: string;
    data: S;
    example: { subject: string; businessdate?: string; data: Data };
    emitted?: boolean;
  }): EventType<Data> =>
    Object.freeze({ ...def, emitted: def.emitted ?? true });

// biome-ignore lint/suspicious/noExplicitAny: an event of any data, for lists of mixed types
export type AnyEventType = EventType<any>;

export type DataOf<E> = E extends EventType<infer D> ? D : never;

/** The envelope's `dataschema`: `urn:loans:events:<type>:<version>`. */
export const dataschemaOf = (e: { type: string; version: number }) => `urn:loans:events:${e.type}:${e.version}`;
