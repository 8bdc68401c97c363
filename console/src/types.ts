/**
 * The services' answers as the console reads them: PE's and Origination's from the types generated from
 * their OpenAPI documents (contracts/generated/, checked current by the tests), so a change of shape there is a
 * type error here. PG documents its bodies inline, so its two shapes are written out below.
 */
import type { components as OriginationApi } from "@loans/contracts/generated/origination";
import type { components as PeApi } from "@loans/contracts/generated/pe";

type Pe = PeApi["schemas"];

export type Decision = Pe["Decision"];
export type AgreementSummary = Pe["AgreementSummary"];
export type ScheduleRow = Pe["SchedulePayment"];
export type PeriodStatus = ScheduleRow["status"];
export type Balances = Pe["Balances"];
export type Delinquency = Pe["Delinquency"];
export type Bucket = Delinquency["bucket"];
export type Refund = Pe["Refund"];
export type Agreement = Pe["Agreement"];
export type PayoffQuote = Pe["PayoffQuote"];
export type Transaction = Pe["Transaction"];
export type TransactionType = Transaction["type"];
export type Application = OriginationApi["schemas"]["Application"];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
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
  failureMessage?: string | null;
  createdAt: string;
  succeededAt: string | null;
}

export interface OutboxMessage {
  id: string;
  topic: string;
  requestId: string | null;
  createdAt: string;
  deliveries: Array<{ destination: string; attempts: number; deliveredAt: string | null; deadAt: string | null }>;
}

/** Who is signed in, as `GET /admin/me` answers on every service (shared/src/kit/me.routes.ts). */
export type Operator = Pe["Me"]["operator"];
export type Role = Operator["role"];
