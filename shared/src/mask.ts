/**
 * Personal data never reaches a log line whole. Fields are found by name at any depth; their value keeps
 * just enough to tell two records apart when reading logs beside the database (a name's first letter,
 * the last two characters of a passport or phone number, an email's first letter); birth dates,
 * addresses and incomes are hidden whole.
 */
const NAMES = new Set(["firstname", "lastname", "middlename", "fullname"]);
const TAILS = new Set(["passport", "passportnumber", "phone", "phonenumber"]);
const HIDDEN = new Set(["birthdate", "dateofbirth", "address", "monthlyincome"]);

export function maskPersonalData<T>(value: T, depth = 0): T {
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, depth + 1)) as T;
  if (value instanceof Error || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = maskField(key.toLowerCase(), v, depth);
  return out as T;
}

function maskField(key: string, v: unknown, depth: number): unknown {
  if (typeof v !== "string") return maskPersonalData(v, depth + 1);
  if (NAMES.has(key)) return `${v.slice(0, 1)}***`;
  if (TAILS.has(key)) return `***${v.slice(-2)}`;
  if (key === "email") return `${v.slice(0, 1)}***@***`;
  if (HIDDEN.has(key)) return "***";
  return v;
}
