import type { Operator } from "../operators/roles.ts";

// Who acts comes from the access guard (shared/src/operators): one definition of the roles, the operator
// and where the guard leaves it (operatorOf).
export { operatorOf } from "../operators/access.ts";
export { allows, BOOTSTRAP_ADMIN, type Operator, ROLES, type Role } from "../operators/roles.ts";

/** One operator told apart from another: the registry id, or the name for the bootstrap admin. */
export const operatorKey = (o: Pick<Operator, "id" | "name">): string => (o.id ? `id:${o.id}` : `name:${o.name}`);
