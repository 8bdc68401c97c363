/**
 * Where the CPU goes during a phase: each service process, the PostgreSQL server (the postmaster and all
 * its children, exited ones included) and the load generator itself, from /proc, in CPU seconds. On a
 * 2-core machine this tells which process is the bottleneck far better than the rate does.
 */
import { readdir, readFile } from "node:fs/promises";
import type { System } from "@loans/e2e/kit/system";
import pg from "pg";

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux we run on

interface Stat {
  ppid: number;
  /** utime + stime, and cutime + cstime (children reaped), in ticks. */
  own: number;
  children: number;
}

async function stat(pid: number): Promise<Stat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (!text) return undefined;
  // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
}

/** The postmaster of a server on this machine: the parent of our own backend. */
export async function postmasterOf(databaseUrl: string): Promise<number | undefined> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ pid: number }>("select pg_backend_pid() as pid");
    return (await stat(rows[0]!.pid))?.ppid;
  } catch {
    return undefined;
  } finally {
    await c.end();
  }
}

/** CPU ticks of the postmaster, its live children, and the children it has reaped. */
async function serverTicks(postmaster: number): Promise<number> {
  const root = await stat(postmaster);
  if (!root) return 0;
  let total = root.own + root.children;
  for (const name of await readdir("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === postmaster) continue;
    const s = await stat(pid);
    if (s?.ppid === postmaster) total += s.own;
  }
  return total;
}

export type CpuSeconds = Record<string, number>;

/** Takes a reading now; `since()` answers the CPU seconds each process used from then on. */
export async function cpuMeter(system: System, postmaster: number | undefined) {
  const procs = [...system.pe, ...system.origination, ...system.gateway];
  const read = async () => {
    const out: Record<string, number> = {};
    for (const [i, p] of procs.entries()) {
      const s = p.pid ? await stat(p.pid) : undefined;
      const key = `${p.name}${procs.filter((q) => q.name === p.name).length > 1 ? `#${i % system.pe.length}` : ""}`;
      out[key] = s ? s.own : 0;
    }
    if (postmaster) out.postgres = await serverTicks(postmaster);
    const u = process.cpuUsage();
    out.bench = ((u.user + u.system) / 1e6) * TICKS_PER_SECOND;
    return out;
  };
  const start = await read();
  return {
    async since(): Promise<CpuSeconds> {
      const end = await read();
      return Object.fromEntries(
        Object.entries(end).map(([k, v]) => [k, Math.round(((v - (start[k] ?? 0)) / TICKS_PER_SECOND) * 100) / 100]),
      );
    },
  };
}

/** Like cpuMeter, for a phase with no service process to watch: the PostgreSQL server and the bench. */
export async function serverCpuMeter(postmaster: number | undefined) {
  const read = async () => {
    const out: Record<string, number> = {};
    if (postmaster) out.postgres = await serverTicks(postmaster);
    const u = process.cpuUsage();
    out.bench = ((u.user + u.system) / 1e6) * TICKS_PER_SECOND;
    return out;
  };
  const start = await read();
  return {
    async since(): Promise<CpuSeconds> {
      const end = await read();
      return Object.fromEntries(
        Object.entries(end).map(([k, v]) => [k, Math.round(((v - (start[k] ?? 0)) / TICKS_PER_SECOND) * 100) / 100]),
      );
    },
  };
}
