/** `pnpm db:migrate`: applies pending migrations to each service's database whose URL variable is set. */
import { migrate } from "./migrate.ts";
import { SERVICES } from "./services.ts";

const given = SERVICES.flatMap((s) => {
  const url = process.env[s.databaseVar];
  return url ? [{ database: s.database, url }] : [];
});
if (given.length === 0) {
  console.error(`db:migrate: set any of ${SERVICES.map((s) => s.databaseVar).join(", ")}`);
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
