import { migrate } from "@loans/db";
import { createDatabase, createLogger, listen, ping, startBoss } from "@loans/shared";
import { createOriginationApp } from "./app.ts";
import type { OriginationConfig } from "./config.ts";
import type { OriginationDB } from "./db.ts";

/** Migrates, connects, starts the workers and the HTTP server; `stop` undoes it in reverse. */
export async function startOrigination(config: OriginationConfig) {
  const log = createLogger("origination", config.LOG_LEVEL);
  const handle = createDatabase<OriginationDB>(config.ORIGINATION_DATABASE_URL);
  try {
    await ping(handle.pool);
    const { applied } = await migrate(config.ORIGINATION_DATABASE_URL, "origination");
    if (applied.length > 0) log.info("migrated", { applied });
  } catch (err) {
    await handle.close();
    throw err;
  }
  const boss = await startBoss(config.ORIGINATION_DATABASE_URL, log);
  const app = createOriginationApp({ config, db: handle.db, pool: handle.pool, boss, log });
  const server = await listen(app, config.ORIGINATION_PORT, config.ORIGINATION_HOST);
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
