/** Valid `POST /agreements` bodies for CL1.0, varied enough that scoring approves some and rejects others. */

export interface ClientSeed {
  passportNumber: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  monthlyIncome: string;
}

// A small deterministic generator, so a failing run can be replayed with the same seed.
export function random(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function makeClients(n: number, rnd: () => number, tag: string): ClientSeed[] {
  return Array.from({ length: n }, (_, i) => {
    const year = 1950 + Math.floor(rnd() * 58); // some too old at the end of the loan, some too young
    const month = String(1 + Math.floor(rnd() * 12)).padStart(2, "0");
    const day = String(1 + Math.floor(rnd() * 28)).padStart(2, "0");
    return {
      passportNumber: `${tag}${String(i).padStart(6, "0")}`.slice(0, 20).toUpperCase(),
      firstName: "Ivan",
      lastName: `Petrov${String.fromCharCode(97 + (i % 26))}`,
      birthDate: `${year}-${month}-${day}`,
      monthlyIncome: `${20_000 + Math.floor(rnd() * 200_000)}.00`,
    };
  });
}

export function agreementBody(client: ClientSeed, rnd: () => number) {
  const amount = 50_000 + Math.floor(rnd() * 440_000);
  return {
    productCode: "CL1.0",
    client: { ...client, email: "ivan@example.com", phone: "+79161234567" },
    disbursementAmount: `${amount}.00`,
    termMonths: 3 + Math.floor(rnd() * 22),
    interestRate: (8 + Math.floor(rnd() * 70) / 10).toFixed(1),
    originationFee: `${2000 + Math.floor(rnd() * 8000)}.00`,
  };
}
