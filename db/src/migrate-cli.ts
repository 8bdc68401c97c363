/** `pnpm db:migrate`: applies pending migrations to PE_DATABASE_URL, ORIGINATION_DATABASE_URL, GATEWAY_DATABASE_URL. */
import { type DatabaseName, migrate } from "./migrate.ts";

const targets: Array<[DatabaseName, string | undefined]> = [
  ["pe", process.env.PE_DATABASE_URL],
  ["origination", process.env.ORIGINATION_DATABASE_URL],
  ["gateway", process.env.GATEWAY_DATABASE_URL],
];
const given = targets.filter(([, url]) => url);
if (given.length === 0) {
  console.error("db:migrate: set PE_DATABASE_URL, ORIGINATION_DATABASE_URL and/or GATEWAY_DATABASE_URL");
  process.exit(2);
}
for (const [name, url] of given) {
  try {
    const r = await migrate(url as string, name);
    console.log(
      `${name}: ${r.applied.length} applied${r.applied.length ? ` (${r.applied.join(", ")})` : ""}, ${r.alreadyApplied} already applied`,
    );
  } catch (err) {
    console.error(`${name}: ${(err as Error).message}`);
    process.exit(1);
  }
}
