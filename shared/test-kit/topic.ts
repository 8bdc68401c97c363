import { z } from "zod";
import type { Topic } from "../src/outbox/topic.ts";

/** A topic for the outbox's own tests: any name, the test's payload schema, any answer. */
export function testTopic<P>(name: string, payload: z.ZodType<P>): Topic<unknown, P, unknown> {
  return {
    name,
    version: 1,
    summary: `test topic ${name}`,
    payload,
    answer: z.unknown(),
    example: { payload: {}, answer: null },
  };
}
