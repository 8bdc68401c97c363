/** The services' answers as the console reads them (CONTRACT.md, LIFECYCLE.md §4); later fields optional. */
export interface Decision {
  result: "APPROVED" | "REJECTED";
  reasons: Array<{ code: string; message: string }>;
  decidedAt: string;
}

export interface AgreementSummary {
  id: string;
  clientId: string;
  productCode: string;
  status: string;
  disbursementAmount: string;
  principal: string;
  termMonths: number;
  interestRate: string;
  monthlyPayment: string;
  createdAt: string;
  decision: Decision | null;
}

export interface ScheduleRow {
  period: number;
  dueDate: string;
  payment: string;
  principal: string;
  interest: string;
  balance: string;
  status: string;
  paidPrincipal?: string;
  paidInterest?: string;
  penalty?: string;
  paidPenalty?: string;
  paidOn?: string | null;
}

export interface Agreement extends AgreementSummary {
  originationFee: string;
  statusHistory: Array<{ status: string; at: string }>;
  scheduleAnchoredOn: string | null;
  scheduleVersion?: number;
  businessDate?: string;
  disbursement: {
    id: string;
    status: string;
    amount: string;
    accountNumber: string;
    requestedOn?: string;
    disbursedOn?: string | null;
    failureCode?: string | null;
  } | null;
  balances?: Record<string, string>;
  delinquency?: { daysPastDue: number; bucket: string; oldestUnpaidDueDate: string | null } | null;
  currentPayment?: string;
  closedOn?: string | null;
  refunds?: Array<{ id?: string; amount: string; status?: string; on?: string }>;
  schedule: ScheduleRow[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Application {
  agreementId: string;
  clientId: string;
  status: string;
  decision: Decision | null;
  createdAt: string;
  updatedAt: string;
}

export interface Payout {
  id: string;
  kind: string;
  agreementId: string;
  amount: string;
  destination: { accountNumber: string };
  status: string;
  failureCode: string | null;
  createdAt: string;
  settledAt: string | null;
}

export interface Payment {
  id: string;
  agreementId: string;
  amount: string;
  purpose: string;
  status: string;
  failureCode: string | null;
  createdAt: string;
  succeededAt: string | null;
}

export interface Transaction {
  type: string;
  on: string;
  amount: string;
  allocation?: Record<string, string>;
  paymentId?: string;
  payoutId?: string;
}

export interface OutboxMessage {
  id: string;
  topic: string;
  requestId: string | null;
  createdAt: string;
  deliveries: Array<{ destination: string; attempts: number; deliveredAt: string | null; deadAt: string | null }>;
}
