import { z } from "zod";

/** Moves the named schemas zod put under `$defs` into `components.schemas`, and points the refs there. */
export class Components {
  readonly schemas: Record<string, unknown> = {};

  schema(s: z.ZodType, io: "input" | "output"): Record<string, unknown> {
    const json = z.toJSONSchema(s, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
    const { $schema: _, $defs, ...rest } = json as { $schema?: string; $defs?: Record<string, unknown> };
    for (const [id, def] of Object.entries($defs ?? {})) {
      const moved = this.relink(def);
      const known = this.schemas[id];
      if (known !== undefined && JSON.stringify(known) !== JSON.stringify(moved))
        throw new Error(`two different schemas are both named ${id} in the OpenAPI document`);
      this.schemas[id] = moved;
    }
    return this.relink(rest) as Record<string, unknown>;
  }

  private relink(v: unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => this.relink(x));
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        k === "$ref" && typeof x === "string" ? x.replace(/^#\/\$defs\//, "#/components/schemas/") : this.relink(x),
      ]),
    );
  }
}

/** One OpenAPI parameter per property of a zod object; a path parameter is always required. */
export function parameters(components: Components, where: "path" | "query" | "header", obj: z.ZodObject | undefined) {
  if (!obj) return [];
  const shape = components.schema(obj, "input") as {
    properties?: Record<string, { description?: string; examples?: unknown[] }>;
    required?: string[];
  };
  return Object.entries(shape.properties ?? {}).map(([name, { description, ...schema }]) => ({
    name,
    in: where,
    required: where === "path" || (shape.required ?? []).includes(name),
    ...(description && { description }),
    schema,
  }));
}
