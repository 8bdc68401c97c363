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
  /** Built files to run instead of the services' own bundles (the bench's pg-boss baseline). */
  scripts?: Partial<Record<ServiceName, string>>;
}

/** A hop: the requests one service sends another, and their answers. */
export type Hop = `${ServiceName}->${ServiceName}`;

/**
 * Every service of the registry as real processes on real databases. Each hop between two services
 * goes through a fault-injecting proxy of its own, so one direction of one pair can fail while the
 * others work: `hop("pe", "origination")` (alias `toOrigination`) carries PE's requests to Origination
 * and their answers, `hop("origination", "pe")` (`toPe`) the other direction, `toGateway` and
 * `fromGateway` the hops between PE and the Payment Gateway. With several instances, a proxy spreads
 * requests over the peer's instances round-robin.
 */
export interface System {
  services: Record<ServiceName, ServiceProcess[]>;
  hop(from: ServiceName, to: ServiceName): FaultProxy;
  /** Every hop's proxy: to reset them all, or count what they dropped. */
  hops: ReadonlyMap<Hop, FaultProxy>;
  pe: ServiceProcess[];
  origination: ServiceProcess[];
  gateway: ServiceProcess[];
  toOrigination: FaultProxy;
  toPe: FaultProxy;
  toGateway: FaultProxy;
  fromGateway: FaultProxy;
  /** The public address of PE (its first instance), for clients. */
  peUrl: string;
  /** Each service's database, for the invariants checked by SQL. */
  databases: Readonly<Record<DatabaseName, string>>;
  check(opts?: { settled?: boolean }): Promise<SyncReport>;
  stop(): Promise<void>;
}

export async function startSystem(opts: SystemOptions): Promise<System> {
  const n = opts.instances ?? 1;
  const taken: number[] = [];
  const ports = {} as Record<ServiceName, number[]>;
  for (const s of SERVICES) ports[s.name] = await freePorts(n, taken);
  const servicePorts = new Set(Object.values(ports).flat());
  const hops = new Map<Hop, FaultProxy>();
  for (const from of SERVICES) {
    for (const to of SERVICES) {
      if (from !== to) hops.set(`${from.name}->${to.name}`, await proxyAvoiding(servicePorts, ports[to.name]));
    }
  }
  const hop = (from: ServiceName, to: ServiceName) => hops.get(`${from}->${to}`)!;
  const services = {} as Record<ServiceName, ServiceProcess[]>;
  for (const s of SERVICES) {
    // Where this service finds each peer: the hop's proxy, or the peer's first instance when direct.
    const peers = Object.fromEntries(
      SERVICES.filter((p) => p !== s).map((p) => [
        p.urlVar,
        opts.direct ? local(ports[p.name][0]!) : hop(s.name, p.name).url,
      ]),
    );
    const env = { OUTBOX_MAX_DELAY_MS: "2000", ...opts.env, ...peers };
    services[s.name] = ports[s.name].map(
      (port) =>
        new ServiceProcess(
          s.name,
          port,
          { ...env, [s.portVar]: String(port), [s.databaseVar]: opts.databases[s.database] },
          opts.nodeArgs,
          opts.scripts?.[s.name],
        ),
    );
  }
  const all = Object.values(services).flat();
  const stopAll = async () => {
    await Promise.all(all.map((p) => p.kill("SIGTERM")));
    await Promise.all([...hops.values()].map((p) => p.close()));
  };
  const started = await Promise.allSettled(all.map((p) => p.start()));
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    // The others started (or are starting) beside the one that failed: leave no process behind.
    await stopAll();
    throw failed.reason;
  }
  return {
    services,
    hop,
    hops,
    pe: services.pe,
    origination: services.origination,
    gateway: services.gateway,
    toOrigination: hop("pe", "origination"),
    toPe: hop("origination", "pe"),
    toGateway: hop("pe", "gateway"),
    fromGateway: hop("gateway", "pe"),
    peUrl: services.pe[0]!.url,
    databases: opts.databases,
    check: (o) =>
      checkSync(opts.databases.pe, opts.databases.origination, {
        settled: o?.settled ?? true,
        gatewayUrl: opts.databases.gateway,
      }),
    stop: stopAll,
  };
}

/**
 * A proxy to the given ports, on a port none of the services was given. The services' ports were free
 * when picked but are not bound until the services start, so the system may hand one of them to a proxy
 * listening on port 0; such a proxy is kept open (so its port is not handed out again) while another is
 * started, then closed.
 */
async function proxyAvoiding(reserved: ReadonlySet<number>, targets: readonly number[]): Promise<FaultProxy> {
  const misses: FaultProxy[] = [];
  try {
    for (;;) {
      const proxy = await startFaultProxy({ target: targets.map(local) });
      if (!reserved.has(proxy.port)) return proxy;
      misses.push(proxy);
    }
  } finally {
    await Promise.all(misses.map((p) => p.close()));
  }
}

// Services' ports come from below Linux's ephemeral range (32768–60999 by default), from which the system
// hands out ports to anything listening on port 0 (the proxies) and to every outgoing connection: a port
// picked there could be taken by one of those before the service binds it.
const SERVICE_PORTS = { from: 20_000, to: 32_000 };

async function freePorts(n: number, taken: number[]): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const candidate = SERVICE_PORTS.from + Math.floor(Math.random() * (SERVICE_PORTS.to - SERVICE_PORTS.from));
    if (taken.includes(candidate) || (await freePort(candidate)) !== candidate) continue;
    taken.push(candidate);
    out.push(candidate);
  }
  return out;
}

const local = (port: number) => `http://127.0.0.1:${port}`;
