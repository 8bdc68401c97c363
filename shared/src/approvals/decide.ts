import { allows, type Operator, operatorKey, type Role } from "../audit/types.ts";

/**
 * An operator's decision on one approval, as a pure function of the approval's row (locked) and who
 * decides: the core of POST /admin/approvals/{id}/approve and /reject. Authority first (a refusal writes
 * nothing but the audit row of the refusal), then the approval's state.
 *
 * | status \ decision      | approve                         | reject                     |
 * |------------------------|---------------------------------|----------------------------|
 * | PENDING                | run (the action, once)          | reject                     |
 * | PENDING, past expiry   | expire → 409 APPROVAL_EXPIRED   | expire → 409               |
 * | APPROVED               | as-is (200)                     | 409 APPROVAL_DECIDED       |
 * | REJECTED               | 409 APPROVAL_DECIDED            | as-is (200)                |
 * | FAILED                 | 409 APPROVAL_DECIDED            | 409 APPROVAL_DECIDED       |
 * | EXPIRED                | 409 APPROVAL_EXPIRED            | 409 APPROVAL_EXPIRED       |
 *
 * Authority: approving needs the action's approver role and another operator than the requester (403
 * SAME_OPERATOR); rejecting needs the approver role, or to be the requester (who may withdraw the request).
 */
export type ApprovalStatus = "PENDING" | "APPROVED" | "REJECTED" | "EXPIRED" | "FAILED";
export type Decision = "approve" | "reject";

export interface DecisionFacts {
  status: ApprovalStatus;
  /** expires_at has passed (read from the database's clock). */
  expired: boolean;
  requestedBy: Pick<Operator, "id" | "name">;
  /** The role the action's registration names as its approver. */
  approverRole: Role;
}

export type Verdict =
  | { kind: "run" }
  | { kind: "reject" }
  | { kind: "expire" }
  | { kind: "as-is" }
  | { kind: "refuse"; code: "FORBIDDEN" | "SAME_OPERATOR" | "APPROVAL_EXPIRED" | "APPROVAL_DECIDED" };

export function decide(f: DecisionFacts, decision: Decision, by: Pick<Operator, "id" | "name" | "role">): Verdict {
  const isRequester = operatorKey(f.requestedBy) === operatorKey(by);
  const mayDecide = allows(by.role, f.approverRole);
  if (decision === "approve" && !mayDecide) return { kind: "refuse", code: "FORBIDDEN" };
  if (decision === "approve" && isRequester) return { kind: "refuse", code: "SAME_OPERATOR" };
  if (decision === "reject" && !mayDecide && !isRequester) return { kind: "refuse", code: "FORBIDDEN" };
  if (f.status === "PENDING") {
    if (f.expired) return { kind: "expire" };
    return decision === "approve" ? { kind: "run" } : { kind: "reject" };
  }
  if (f.status === "EXPIRED") return { kind: "refuse", code: "APPROVAL_EXPIRED" };
  const same =
    (decision === "approve" && f.status === "APPROVED") || (decision === "reject" && f.status === "REJECTED");
  return same ? { kind: "as-is" } : { kind: "refuse", code: "APPROVAL_DECIDED" };
}
