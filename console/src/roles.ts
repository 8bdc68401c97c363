import { allows, type Role } from "@loans/shared/operators/roles";

export { ROLES } from "@loans/shared/operators/roles";

/**
 * What each of the console's actions needs, in one place: the services' own declarations (the role each
 * endpoint requires) are the authority and refuse with 403 anyway; the console only leaves out the buttons a
 * role cannot use, so a viewer is not offered a Disburse that would be refused.
 */
export const ACTION_ROLES = {
  disburse: "officer",
  withdraw: "officer",
  recordPayment: "officer",
  moveBusinessDate: "operator",
  requeue: "operator",
  editCalendar: "operator",
  // Approving or rejecting a four-eyes request needs the role of the action it holds (APPROVALS below).
  decideProductCreation: "admin",
  decideWriteOff: "risk",
  manageOperators: "admin",
} as const satisfies Record<string, Role>;

export type Action = keyof typeof ACTION_ROLES;

// `allows` is the services' own rule (shared/src/operators/roles.ts): admin may do everything, every role
// reads, otherwise the very role.
export const can = (role: Role | null, action: Action): boolean => role !== null && allows(role, ACTION_ROLES[action]);

/** The console's action for deciding an approval, by the services' name of the action it holds. */
const APPROVALS: Record<string, Action> = {
  "product.create": "decideProductCreation",
  "agreement.write-off": "decideWriteOff",
};

/** Whether `role` may approve or reject an approval of `approvalAction`; one the console does not know: admin only. */
export const canDecide = (role: Role | null, approvalAction: string): boolean => {
  const action = APPROVALS[approvalAction];
  return action ? can(role, action) : role === "admin";
};
