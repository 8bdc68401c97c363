import { freePort } from "@loans/db/embedded";
import { type FaultProxy, startFaultProxy } from "@loans/shared/test-kit/fault-proxy";
import { checkSync, type SyncReport } from "./invariants.ts";
import { type ServiceName, ServiceProcess } from "./process.ts";

export interface SystemOptions {
  peDatabaseUrl: string;
  originationDatabaseUrl: string;
  /** Instances of each service, all on the same database (each on its own port). */
  instances?: number;
  /** Extra environment for every service process. */
  env?: Record<string, string>;
  /**
   * Services call each other directly (the first instance of the peer), without the proxies: for
   * benchmarks, where the proxy's extra hop is not what is measured. `toOrigination`/`toPe` still exist
   * but carry nothing.
   */
  direct?: boolean;
  /** Flags for node in every service process (benchmarks profile with them). */
  nodeArgs?: string[];
  /** Built files to run instead of the services' own bundles (the bench's pg-boss baseline). */
  scripts?: Partial<Record<ServiceName, string>>;
}

/**
 * PE and Origination as real processes on real databases, each talking to the other through a
 * fault-injecting proxy: `toOrigination` carries PE's requests (and Origination's answers), `toPe` the
 * other direction. With several instances, a proxy spreads requests over them round-robin.
 */
export interface System {
  pe: ServiceProcess[];
  origination: ServiceProcess[];
  toOrigination: FaultProxy;
  toPe: FaultProxy;
  /** The public address of PE (its first instance), for clients. */
  peUrl: string;
  check(opts?: { settled?: boolean }): Promise<SyncReport>;
  stop(): Promise<void>;
}

export async function startSystem(opts: SystemOptions): Promise<System> {
  const n = opts.instances ?? 1;
  const pePorts = await ports(n);
  const originationPorts = await ports(n);
  const toOrigination = await startFaultProxy({ target: originationPorts.map(local) });
  const toPe = await startFaultProxy({ target: pePorts.map(local) });
  const common = { OUTBOX_MAX_DELAY_MS: "2000", ...opts.env };
  const pe = pePorts.map(
    (port) =>
      new ServiceProcess(
        "pe",
        port,
        {
          ...common,
          PE_PORT: String(port),
          PE_DATABASE_URL: opts.peDatabaseUrl,
          ORIGINATION_URL: opts.direct ? local(originationPorts[0]!) : toOrigination.url,
        },
        opts.nodeArgs,
        opts.scripts?.pe,
      ),
  );
  const origination = originationPorts.map(
    (port) =>
      new ServiceProcess(
        "origination",
        port,
        {
          ...common,
          ORIGINATION_PORT: String(port),
          ORIGINATION_DATABASE_URL: opts.originationDatabaseUrl,
          PE_URL: opts.direct ? local(pePorts[0]!) : toPe.url,
        },
        opts.nodeArgs,
        opts.scripts?.origination,
      ),
  );
  await Promise.all([...pe, ...origination].map((s) => s.start()));
  return {
    pe,
    origination,
    toOrigination,
    toPe,
    peUrl: pe[0]!.url,
    check: (o) => checkSync(opts.peDatabaseUrl, opts.originationDatabaseUrl, o),
    async stop() {
      await Promise.all([...pe, ...origination].map((s) => s.kill("SIGTERM")));
      await Promise.all([toOrigination.close(), toPe.close()]);
    },
  };
}

async function ports(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

const local = (port: number) => `http://127.0.0.1:${port}`;
