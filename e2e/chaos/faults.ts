import { setTimeout as sleep } from "node:timers/promises";
import type { ServiceProcess } from "../kit/process.ts";
import { random } from "../kit/requests.ts";

export interface FaultCounters {
  kills: number;
  /** Exits nobody asked for: a service that crashed on its own (a database restart, say). */
  crashes: number;
  dbRestarts: number;
  /** SIGKILLs per service name. */
  killed: Record<string, number>;
}

/**
 * Every `everySeconds`, SIGKILLs a random service instance and starts it again a moment later, as an
 * orchestrator would; and restarts any instance that exited on its own, counting it as a crash.
 */
export function startKiller(
  services: ServiceProcess[],
  opts: { everySeconds: number; seed: number; onCrash?: (what: string) => void },
) {
  const rnd = random(opts.seed + 17);
  const counters: FaultCounters = { kills: 0, crashes: 0, dbRestarts: 0, killed: {} };
  const busy = new Set<ServiceProcess>();
  let stopped = false;
  let killsOn = opts.everySeconds > 0;

  const restart = async (s: ServiceProcess, pauseMs: number) => {
    busy.add(s);
    try {
      await sleep(pauseMs);
      // Start can fail while the database itself is restarting: the service then exits; try again.
      for (let i = 0; i < 60 && !s.running; i++) {
        try {
          await s.start(60_000);
        } catch {
          await sleep(500);
        }
      }
    } finally {
      busy.delete(s);
    }
  };

  const supervise = setInterval(() => {
    for (const s of services) {
      if (!s.running && !busy.has(s)) {
        counters.crashes++;
        const exit = s.exits.at(-1);
        opts.onCrash?.(
          `${s.name} :${s.port} exited (${exit?.code ?? exit?.signal}):\n  ${s.output.slice(-6).join("\n  ")}`,
        );
        void restart(s, 0);
      }
    }
  }, 500);

  const killLoop = (async () => {
    while (!stopped) {
      await sleep(opts.everySeconds * 1000 * (0.5 + rnd()));
      if (stopped || !killsOn) continue;
      const candidates = services.filter((s) => s.running && !busy.has(s));
      const victim = candidates[Math.floor(rnd() * candidates.length)];
      if (!victim) continue;
      busy.add(victim);
      await victim.kill("SIGKILL");
      counters.kills++;
      counters.killed[victim.name] = (counters.killed[victim.name] ?? 0) + 1;
      busy.delete(victim);
      void restart(victim, 200 + rnd() * 1500);
    }
  })();

  return {
    counters,
    /** No more kills; instances that are down are brought back. */
    async calm() {
      killsOn = false;
      while (busy.size > 0 || services.some((s) => !s.running)) {
        for (const s of services) if (!s.running && !busy.has(s)) void restart(s, 0);
        await sleep(200);
      }
    },
    async stop() {
      stopped = true;
      clearInterval(supervise);
      await Promise.race([killLoop, new Promise((r) => setTimeout(r, 100))]);
    },
  };
}
