/**
 * `pnpm db:migrate`: applies pending migrations to each service's database whose URL variable is set, and
 * to the operator registry's when OPERATORS_DATABASE_URL is.
 */
import { type MigratedDatabase, migrate } from "./migrate.ts";
import { REGISTRY_DATABASE, SERVICES } from "./services.ts";

const vars: Array<{ database: MigratedDatabase; variable: string }> = [
  ...SERVICES.map((s) => ({ database: s.database, variable: s.databaseVar })),
  { database: REGISTRY_DATABASE, variable: "OPERATORS_DATABASE_URL" },
];
const given = vars.flatMap(({ database, variable }) => {
  const url = process.env[variable];
  return url ? [{ database, url }] : [];
});
if (given.length === 0) {
  console.error(`db:migrate: set any of ${vars.map((v) => v.variable).join(", ")}`);
  process.exit(2);
}
for (const { database, url } of given) {
  try {
    const r = await migrate(url, database);
    console.log(
      `${database}: ${r.applied.length} applied${r.applied.length ? ` (${r.applied.join(", ")})` : ""}, ${r.alreadyApplied} already applied`,
    );
  } catch (err) {
    console.error(`${database}: ${(err as Error).message}`);
    process.exit(1);
  }
}
