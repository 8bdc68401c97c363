/** Operators, roles and the access guard: the kit piece every service uses (README, "Operators and roles"). */
export { type Access, type AccessState, decide, operatorOf } from "./access.ts";
export { accessGuard, undeclaredRoutes } from "./guard.ts";
export { type IssuedToken, OperatorExists, type OperatorRecord, OperatorRegistry } from "./registry.ts";
export { allows, BOOTSTRAP_ADMIN, isRole, type Operator, ROLES, type Role } from "./roles.ts";
