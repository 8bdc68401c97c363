/**
 * Examples for the OpenAPI document, taken from real answers to the contract's example request (with a
 * three-month term, to keep the schedule short).
 */

export const agreementRequestExample = {
  productCode: "CL1.0",
  client: {
    firstName: "Ivan",
    lastName: "Petrov",
    middleName: "Ivanovich",
    birthDate: "1990-05-17",
    passportNumber: "4510123456",
    email: "ivan@example.com",
    phone: "+79161234567",
    monthlyIncome: "150000.00",
  },
  disbursementAmount: "300000.00",
  termMonths: 3,
  interestRate: "12.5",
  originationFee: "5000.00",
};

const unpaid = {
  paidPrincipal: "0.00",
  paidInterest: "0.00",
  penalty: "0.00",
  paidPenalty: "0.00",
  paidOn: null,
};

export const agreementExample = {
  id: "724ef517-8379-422b-bf91-e285887949d9",
  clientId: "810e03b7-dd4d-4df6-aedf-4dc5ba7725c6",
  productCode: "CL1.0",
  status: "NEW",
  disbursementAmount: "300000.00",
  originationFee: "5000.00",
  principal: "305000.00",
  termMonths: 3,
  interestRate: "12.5",
  monthlyPayment: "103792.04",
  createdAt: "2026-11-29T17:39:06.389Z",
  updatedAt: "2026-11-29T17:39:06.389Z",
  decision: null,
  // Indicative: dated from the creation's business date; 3 months at 12.5 % with a 5 000 fee.
  psk: { percent: "22.612", amount: "11376.11", final: false, scheduleVersion: 1 },
  scheduleAnchoredOn: null,
  disbursement: null,
  businessDate: "2026-11-29",
  scheduleVersion: 1,
  balances: null,
  delinquency: null,
  currentPayment: null,
  closedOn: null,
  refunds: [],
  statusHistory: [
    {
      status: "NEW",
      at: "2026-11-29T17:39:06.389Z",
    },
  ],
  schedule: [
    {
      period: 1,
      periodEnd: "2026-12-29",
      dueDate: "2026-12-29",
      payment: "103792.04",
      principal: "100614.96",
      interest: "3177.08",
      balance: "204385.04",
      status: "PENDING",
      ...unpaid,
    },
    {
      period: 2,
      periodEnd: "2027-01-29",
      dueDate: "2027-01-29",
      payment: "103792.04",
      principal: "101663.03",
      interest: "2129.01",
      balance: "102722.01",
      status: "PENDING",
      ...unpaid,
    },
    {
      period: 3,
      periodEnd: "2027-02-28",
      dueDate: "2027-02-28",
      payment: "103792.03",
      principal: "102722.01",
      interest: "1070.02",
      balance: "0.00",
      status: "PENDING",
      ...unpaid,
    },
  ],
};

const {
  statusHistory: _history,
  schedule: _schedule,
  scheduleAnchoredOn: _anchored,
  disbursement: _disbursement,
  businessDate: _businessDate,
  scheduleVersion: _version,
  balances: _balances,
  delinquency: _delinquency,
  currentPayment: _current,
  closedOn: _closed,
  refunds: _refunds,
  ...summary
} = agreementExample;

export const agreementPageExample = { items: [summary], nextCursor: null };

/** The same agreement, withdrawn by the client before Origination took it. */
export const withdrawnAgreementExample = {
  ...agreementExample,
  status: "WITHDRAWN",
  updatedAt: "2026-11-29T17:39:06.531Z",
  statusHistory: [
    { status: "NEW", at: "2026-11-29T17:39:06.389Z" },
    { status: "WITHDRAWN", at: "2026-11-29T17:39:06.555Z" },
  ],
};

export const clientExample = {
  id: "810e03b7-dd4d-4df6-aedf-4dc5ba7725c6",
  firstName: "Ivan",
  lastName: "Petrov",
  middleName: "Ivanovich",
  birthDate: "1990-05-17",
  passportNumber: "4510123456",
  email: "ivan@example.com",
  phone: "+79161234567",
  monthlyIncome: "150000.00",
  createdAt: "2026-11-29T17:39:06.389Z",
  updatedAt: "2026-11-29T17:39:06.389Z",
};

export const productExample = {
  code: "CL1.0",
  name: "Consumer loan",
  amortization: "ANNUITY",
  minTermMonths: 3,
  maxTermMonths: 24,
  minPrincipal: "50000.00",
  maxPrincipal: "500000.00",
  minInterestRate: "8",
  maxInterestRate: "15",
  minOriginationFee: "2000.00",
  maxOriginationFee: "10000.00",
  penaltyRate: "20",
  penaltyGraceDays: 0,
  pskCeiling: "365.000",
  dueDateShift: "NONE",
  createdAt: "2026-11-29T17:39:04.137Z",
};

export const productRequestExample = {
  code: "CL3.0",
  name: "Consumer loan, equal principal",
  amortization: "EQUAL_PRINCIPAL",
  minTermMonths: 6,
  maxTermMonths: 36,
  minPrincipal: "10000.00",
  maxPrincipal: "1000000.00",
  minInterestRate: "9.5",
  maxInterestRate: "18",
  minOriginationFee: "0.00",
  maxOriginationFee: "15000.00",
  penaltyRate: "20",
  penaltyGraceDays: 3,
  pskCeiling: "40.000",
  dueDateShift: "NEXT_WORKING_DAY",
};

/** An approved agreement the client asked to disburse: DISBURSING, the payout ordered. */
export const disbursingAgreementExample = {
  ...agreementExample,
  status: "DISBURSING",
  updatedAt: "2026-11-29T17:40:00.000Z",
  decision: { result: "APPROVED", reasons: [], decidedAt: "2026-11-29T17:39:06.974Z" },
  disbursement: {
    id: "5f1c3d0e-8a7b-4c2d-9e6f-0a1b2c3d4e5f",
    status: "REQUESTED",
    amount: "300000.00",
    accountNumber: "40817810000000000001",
    requestedOn: "2026-11-29",
    disbursedOn: null,
    failureCode: null,
  },
  statusHistory: [
    { status: "NEW", at: "2026-11-29T17:39:06.389Z" },
    { status: "IN_PROGRESS", at: "2026-11-29T17:39:06.412Z" },
    { status: "APPROVED", at: "2026-11-29T17:39:06.990Z" },
    { status: "DISBURSING", at: "2026-11-29T17:40:00.000Z" },
  ],
};

/** An agreement on 2025-03-25 of LIFECYCLE §5, period 2 ten days late (three periods shown of twelve). */
export const activeAgreementExample = {
  ...disbursingAgreementExample,
  termMonths: 12,
  monthlyPayment: "27170.27",
  status: "ACTIVE",
  scheduleAnchoredOn: "2025-01-15",
  businessDate: "2025-03-25",
  disbursement: {
    ...disbursingAgreementExample.disbursement,
    status: "PAID",
    requestedOn: "2025-01-15",
    disbursedOn: "2025-01-15",
  },
  balances: {
    principalOutstanding: "281006.81",
    principalOverdue: "24243.12",
    interestOverdue: "2927.15",
    penaltyOutstanding: "132.84",
    unappliedFunds: "0.00",
    totalDue: "27303.11",
  },
  delinquency: { daysPastDue: 10, bucket: "DPD_1_30", oldestUnpaidDueDate: "2025-03-15" },
  currentPayment: "27170.27",
  // EXCEPTIONS §6.1: final from the disbursement on.
  psk: { percent: "15.655", amount: "26043.27", final: true, scheduleVersion: 1 },
  statusHistory: [...disbursingAgreementExample.statusHistory, { status: "ACTIVE", at: "2025-01-15T10:00:01.000Z" }],
  schedule: [
    {
      period: 1,
      periodEnd: "2025-02-15",
      dueDate: "2025-02-15",
      payment: "27170.27",
      principal: "23993.19",
      interest: "3177.08",
      balance: "281006.81",
      status: "PAID",
      paidPrincipal: "23993.19",
      paidInterest: "3177.08",
      penalty: "0.00",
      paidPenalty: "0.00",
      paidOn: "2025-02-15",
    },
    {
      period: 2,
      periodEnd: "2025-03-15",
      dueDate: "2025-03-15",
      payment: "27170.27",
      principal: "24243.12",
      interest: "2927.15",
      balance: "256763.69",
      status: "OVERDUE",
      ...unpaid,
      penalty: "132.84",
    },
    {
      period: 3,
      periodEnd: "2025-04-15",
      dueDate: "2025-04-15",
      payment: "27170.27",
      principal: "24495.65",
      interest: "2674.62",
      balance: "232268.04",
      status: "PENDING",
      ...unpaid,
    },
  ],
};

export const payoffQuoteExample = {
  agreementId: "724ef517-8379-422b-bf91-e285887949d9",
  date: "2025-06-02",
  amount: "208772.37",
  components: {
    principal: "207517.23",
    interest: "1255.14",
    overdueInterest: "0.00",
    penalty: "0.00",
    unappliedFunds: "0.00",
  },
  accrual: {
    period: 5,
    from: "2025-05-15",
    to: "2025-06-15",
    daysElapsed: 18,
    daysInPeriod: 31,
    openingBalance: "207517.23",
    convention: "ACT_ACT_ICMA",
  },
};
