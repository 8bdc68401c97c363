import { agreementCreated } from "@loans/contracts";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../src/applications/applications.mappers.ts";
import { payloadHash } from "../src/applications/payload-hash.ts";

const wire = {
  agreementId: "0b7c2b8e-3f0a-4c55-9d43-0d9a3b1c8e11",
  clientId: "5f1d2a40-8a3b-4f0e-b2c4-7e9a6d5c3b21",
  productCode: "CL1.0",
  birthDate: "1990-05-17",
  monthlyIncome: "150000.00",
  principal: "305000.00",
  termMonths: 12,
  interestRate: "12.5",
  monthlyPayment: "27170.47",
  lastDueDate: "2026-06-01",
};
const hashOf = (changes: Record<string, unknown>) =>
  payloadHash(agreementCreated.payload.parse({ ...wire, ...changes }));

describe("payloadHash", () => {
  it.each([
    ["income as a number", { monthlyIncome: 150000 }],
    ["income with one decimal", { monthlyIncome: "150000.0" }],
    ["rate with trailing zeros", { interestRate: "12.5000" }],
    ["rate as a number", { interestRate: 12.5 }],
    ["ids in upper case", { agreementId: wire.agreementId.toUpperCase(), clientId: wire.clientId.toUpperCase() }],
    ["a field PE added later", { channel: "web" }],
  ])("is the same for %s", (_name, changes) => {
    expect(hashOf(changes)).toBe(hashOf({}));
  });

  it.each([
    ["a cent more payment", { monthlyPayment: "27170.48" }],
    ["another client", { clientId: "5f1d2a40-8a3b-4f0e-b2c4-7e9a6d5c3b22" }],
    ["another birth date", { birthDate: "1990-05-18" }],
    ["another term", { termMonths: 13 }],
    ["another rate", { interestRate: "12.51" }],
    ["another last due date", { lastDueDate: "2026-06-02" }],
    ["another product", { productCode: "CL2.0" }],
    ["another principal", { principal: "305000.01" }],
    ["another income", { monthlyIncome: "150000.01" }],
  ])("differs for %s", (_name, changes) => {
    expect(hashOf(changes)).not.toBe(hashOf({}));
  });
});

describe("list cursor", () => {
  it("gives back the position it was made from, to the microsecond", () => {
    const p = { createdKey: "2024-06-01T10:11:12.123456Z", agreementId: wire.agreementId };
    expect(decodeCursor(encodeCursor(p))).toEqual(p);
  });
});
