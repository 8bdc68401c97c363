import { Dec, toMoney, toRate } from "@loans/shared/money";
import { utcDate } from "../calendar.ts";
import type { AgreementStatus } from "../db.ts";
import type { listSchedule } from "../schedules/schedules.repository.ts";
import type { Agreement } from "./agreements.repository.ts";
import type { AgreementResponse, AgreementSummary } from "./agreements.schemas.ts";

type ScheduleRows = Awaited<ReturnType<typeof listSchedule>>;

/** Table rows to the API's shape: money with two decimals, rates without trailing zeros, instants in ISO. */
export function toAgreementSummary(a: Agreement): AgreementSummary {
  return {
    id: a.id,
    clientId: a.client_id,
    productCode: a.product_code,
    status: a.status,
    disbursementAmount: toMoney(a.disbursement_amount),
    originationFee: toMoney(a.origination_fee),
    principal: toMoney(a.principal),
    termMonths: a.term_months,
    interestRate: toRate(a.interest_rate),
    monthlyPayment: toMoney(a.monthly_payment),
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
    decision:
      a.decision_result && a.decided_at
        ? {
            result: a.decision_result,
            reasons: (a.decision_reasons as Array<{ code: string; message: string }> | null) ?? [],
            decidedAt: a.decided_at.toISOString(),
          }
        : null,
    psk: toPskView(a),
  };
}

function toPskView(a: Agreement): AgreementSummary["psk"] {
  if (a.psk_percent === null || a.psk_amount === null || a.psk_final === null || a.psk_schedule_version === null)
    return null;
  return {
    percent: new Dec(a.psk_percent).toFixed(3),
    amount: toMoney(a.psk_amount),
    final: a.psk_final,
    scheduleVersion: a.psk_schedule_version,
  };
}

export function toAgreementResponse(
  a: Agreement,
  history: Array<{ status: AgreementStatus; at: Date }>,
  schedule: ScheduleRows,
): AgreementResponse {
  return {
    ...toAgreementSummary(a),
    statusHistory: history.map((h) => ({ status: h.status, at: h.at.toISOString() })),
    scheduleAnchoredOn: a.schedule_anchored_on,
    disbursement:
      a.disbursement_id && a.disbursement_status && a.disbursement_account && a.disbursement_requested_at
        ? {
            id: a.disbursement_id,
            status: a.disbursement_status,
            amount: toMoney(a.disbursement_amount),
            accountNumber: a.disbursement_account,
            requestedOn: utcDate(a.disbursement_requested_at),
            disbursedOn: a.disbursed_on,
            failureCode: a.disbursement_failure_code,
          }
        : null,
    // The stored figures; GET /agreements/{id} computes them on the business date instead (servicing view).
    businessDate: null,
    scheduleVersion: a.schedule_version,
    balances: null,
    delinquency: null,
    currentPayment: null,
    closedOn: a.closed_on,
    refunds: [],
    schedule: schedule.map((r) => ({
      period: r.period,
      periodEnd: r.period_end,
      dueDate: r.due_date,
      payment: toMoney(r.payment),
      principal: toMoney(r.principal),
      interest: toMoney(r.interest),
      balance: toMoney(r.balance),
      status: r.status as AgreementResponse["schedule"][number]["status"],
      paidPrincipal: toMoney(r.paid_principal),
      paidInterest: toMoney(r.paid_interest),
      penalty: toMoney(r.penalty),
      paidPenalty: toMoney(r.paid_penalty),
      paidOn: r.paid_on,
    })),
  };
}
