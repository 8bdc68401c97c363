import { migrate } from "@loans/db";
import { createDatabase, createLogger, listen, ping, startBoss } from "@loans/shared";
import { createPeApp, type PeDeps } from "./app.ts";
import type { PeConfig } from "./config.ts";
import type { PeDB } from "./db.ts";

/** Migrates, connects, starts the workers and the HTTP server; `stop` undoes it in reverse. */
export async function startPe(config: PeConfig, hooks: Pick<PeDeps, "afterCommit"> = {}) {
  const log = createLogger("pe", config.LOG_LEVEL);
  const handle = createDatabase<PeDB>(config.PE_DATABASE_URL);
  try {
    await ping(handle.pool);
    const { applied } = await migrate(config.PE_DATABASE_URL, "pe");
    if (applied.length > 0) log.info("migrated", { applied });
  } catch (err) {
    await handle.close();
    throw err;
  }
  const boss = await startBoss(config.PE_DATABASE_URL, log);
  const app = createPeApp({ config, db: handle.db, pool: handle.pool, boss, log, ...hooks });
  const server = await listen(app, config.PE_PORT, config.PE_HOST);
  log.info("listening", { url: server.url });
  return {
    url: server.url,
    port: server.port,
    db: handle.db,
    async stop() {
      await server.close();
      await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
      await handle.close();
    },
  };
}
