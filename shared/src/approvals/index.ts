export {
  type ApprovalAction,
  type ApprovalRunContext,
  type Approvals,
  createApprovals,
  type PendingAnswer,
} from "./approvals.ts";
export { type ApprovalSettings, approvalSettings } from "./config.ts";
export { type ApprovalStatus, type Decision, decide, type Verdict } from "./decide.ts";
export { approvalDocs, pendingApprovalExample, pendingApprovalSchema } from "./docs.ts";
export { approvalError } from "./errors.ts";
export { approvalRoutes } from "./routes.ts";
export type { ApprovalView } from "./store.ts";
