export { requireRole } from "./guard.ts";
export { auditPlan, maskToken, type Outcome, outcomeOf, type Plan } from "./plan.ts";
export { type AuditEntry, listAudit } from "./query.ts";
export { auditDocs, auditRoutes } from "./routes.ts";
export { auditTrail } from "./trail.ts";
export { allows, BOOTSTRAP_ADMIN, type Operator, operatorOf, ROLES, type Role } from "./types.ts";
export { type AuditDb, type AuditedAction, auditAction, describeAudit, insertAuditRow } from "./write.ts";
