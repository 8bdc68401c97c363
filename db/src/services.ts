/**
 * Every service of the system, described once. The launcher, the migrator, the build, the outbox command,
 * the test setup and the end-to-end kit read this list; a service's own code ties its configuration to its
 * entry (shared/src/kit). Nothing here imports a service, so any tool may import it.
 *
 * Adding a service: its folder (`<dir>/src/main.ts` and its domain code), its migrations in `db/<database>/`,
 * and one entry here.
 */
/**
 * How every service process is started, wherever it is (the launcher, compose.yaml, the Dockerfile, the
 * e2e kit, the benchmarks). Node 24's V8 sizes the young generation from the machine's memory: on 24 GB
 * its semi-spaces grew to 64 MB each under load, and a service's RSS to 280–300 MB, most of it new space
 * that held little. 8 MB semi-spaces kept the peaks under 200 MB in the same run, for no CPU
 * measurable. Its old generation is sized from the memory too (a limit of about 4 GB there), and grew to
 * 250 MB of RSS in the first minute at full rate: a 512 MB limit, several times what a service holds live,
 * keeps the peaks near 170 MB, for no rate measurable (docs/bench.md).
 */
export const SERVICE_NODE_FLAGS = [
  "--enable-source-maps",
  "--max-semi-space-size=8",
  "--max-old-space-size=512",
] as const;

export interface ServiceEntry {
  /** The service's name: in logs, metrics, `pnpm outbox <name>`, `pnpm start:<name>`. */
  readonly name: string;
  /** How people call it in the launcher's output. */
  readonly title: string;
  /** Its workspace folder: `<dir>/src/main.ts` is built into `<dir>/dist/main.mjs`. */
  readonly dir: string;
  readonly portVar: string;
  readonly defaultPort: number;
  readonly hostVar: string;
  readonly databaseVar: string;
  /** The variable by which its peers find it. */
  readonly urlVar: string;
  /** Its database, and the folder of its migrations under `db/`. */
  readonly database: string;
}

export const SERVICES = [
  {
    name: "pe",
    title: "PE",
    dir: "pe",
    portVar: "PE_PORT",
    defaultPort: 3001,
    hostVar: "PE_HOST",
    databaseVar: "PE_DATABASE_URL",
    urlVar: "PE_URL",
    database: "pe",
  },
  {
    name: "origination",
    title: "Origination",
    dir: "origination",
    portVar: "ORIGINATION_PORT",
    defaultPort: 3002,
    hostVar: "ORIGINATION_HOST",
    databaseVar: "ORIGINATION_DATABASE_URL",
    urlVar: "ORIGINATION_URL",
    database: "origination",
  },
  {
    name: "gateway",
    title: "Payment Gateway",
    dir: "gateway",
    portVar: "GATEWAY_PORT",
    defaultPort: 3003,
    hostVar: "GATEWAY_HOST",
    databaseVar: "GATEWAY_DATABASE_URL",
    urlVar: "GATEWAY_URL",
    database: "gateway",
  },
] as const satisfies readonly ServiceEntry[];

export type Service = (typeof SERVICES)[number];
export type ServiceName = Service["name"];
export type DatabaseName = Service["database"];

export const SERVICE_NAMES: readonly ServiceName[] = SERVICES.map((s) => s.name);

export function isServiceName(name: string | undefined): name is ServiceName {
  return SERVICES.some((s) => s.name === name);
}

/** The entry of a service by name, typed by that name. */
export function serviceEntry<N extends ServiceName>(name: N): Extract<Service, { name: N }> {
  const found = SERVICES.find((s) => s.name === name);
  if (!found) throw new Error(`no service ${name}`);
  return found as Extract<Service, { name: N }>;
}

/**
 * The operator registry's database (db/operators/, shared/src/operators/): not a service's, read by every
 * service, like an identity provider. Migrated without the shared sets (it has no outbox).
 */
export const REGISTRY_DATABASE = "operators" as const;

/** Every database the migrator knows: each service's, and the registry's. */
export type MigratedDatabase = DatabaseName | typeof REGISTRY_DATABASE;

/** Where a service listens on this machine when nothing else is said: its default port on 127.0.0.1. */
export const defaultUrl = (s: ServiceEntry, port: number = s.defaultPort) => `http://127.0.0.1:${port}`;
