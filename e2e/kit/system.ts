import { freePort } from "@loans/db/embedded";
import { type DatabaseName, SERVICES, type ServiceName } from "@loans/db/services";
import { type FaultProxy, startFaultProxy } from "@loans/shared/test-kit/fault-proxy";
import { checkSync, type SyncReport } from "./invariants.ts";
import { ServiceProcess } from "./process.ts";

export interface SystemOptions {
  /** Each service's database (db/src/services.ts names them). */
  databases: Record<DatabaseName, string>;
  /** Instances of each service, all on the same database (each on its own port). */
  instances?: number;
  /** Extra environment for every service process. */
  env?: Record<string, string>;
  /**
   * Services call each other directly (the first instance of the peer), without the proxies: for
   * benchmarks, where the proxy's extra hop is not what is measured. The proxies still exist but carry
   * nothing.
   */
  direct?: boolean;
  /** Flags for node in every service process (benchmarks profile with them). */
  nodeArgs?: string[];
}

/**
 * Every service of the registry as real processes on real databases, each reached by its peers through
 * a fault-injecting proxy in front of it: `proxies.origination` (alias `toOrigination`) carries PE's
 * requests to Origination and its answers back, `proxies.pe` (`toPe`) the other direction. With several
 * instances, a proxy spreads requests over them round-robin.
 */
export interface System {
  services: Record<ServiceName, ServiceProcess[]>;
  proxies: Record<ServiceName, FaultProxy>;
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
  const taken: number[] = [];
  const ports = {} as Record<ServiceName, number[]>;
  const proxies = {} as Record<ServiceName, FaultProxy>;
  for (const s of SERVICES) {
    ports[s.name] = await freePorts(n, taken);
    proxies[s.name] = await startFaultProxy({ target: ports[s.name].map(local) });
  }
  // Where each service is found by the others: its proxy, or its first instance when direct.
  const peerUrls = Object.fromEntries(
    SERVICES.map((s) => [s.urlVar, opts.direct ? local(ports[s.name][0]!) : proxies[s.name].url]),
  );
  const common = { OUTBOX_MAX_DELAY_MS: "2000", ...opts.env, ...peerUrls };
  const services = {} as Record<ServiceName, ServiceProcess[]>;
  for (const s of SERVICES) {
    services[s.name] = ports[s.name].map(
      (port) =>
        new ServiceProcess(
          s.name,
          port,
          { ...common, [s.portVar]: String(port), [s.databaseVar]: opts.databases[s.database] },
          opts.nodeArgs,
        ),
    );
  }
  const all = Object.values(services).flat();
  await Promise.all(all.map((p) => p.start()));
  return {
    services,
    proxies,
    pe: services.pe,
    origination: services.origination,
    toOrigination: proxies.origination,
    toPe: proxies.pe,
    peUrl: services.pe[0]!.url,
    check: (o) => checkSync(opts.databases.pe, opts.databases.origination, o),
    async stop() {
      await Promise.all(all.map((p) => p.kill("SIGTERM")));
      await Promise.all(Object.values(proxies).map((p) => p.close()));
    },
  };
}

async function freePorts(n: number, taken: number[]): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!taken.includes(p)) {
      taken.push(p);
      out.push(p);
    }
  }
  return out;
}

const local = (port: number) => `http://127.0.0.1:${port}`;
