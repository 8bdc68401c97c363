import type { Context } from "koa";
import type { Operator } from "../operators/roles.ts";

// Who acts comes from the access guard (shared/src/operators): one definition of the roles and the operator.
export { allows, BOOTSTRAP_ADMIN, type Operator, ROLES, type Role } from "../operators/roles.ts";

export function operatorOf(ctx: Context): Operator | undefined {
  return ctx.state.operator as Operator | undefined;
}

/** One operator told apart from another: the registry id, or the name for the bootstrap admin. */
export const operatorKey = (o: Pick<Operator, "id" | "name">): string => (o.id ? `id:${o.id}` : `name:${o.name}`);
