/**
 * A relay in a process of its own, for tests that kill it: `node --import tsx relay-child.ts`.
 * Env: RELAY_DATABASE_URL, RELAY_ENDPOINT (the peer's batch URL), RELAY_TOPICS (comma-separated),
 * RELAY_SECRET, RELAY_OPTIONS (JSON, partial RelayOptions). Prints "ready" once started; stops on SIGTERM.
 */
import { startBoss } from "../src/boss.ts";
import { createDatabase } from "../src/db.ts";
import { createLogger } from "../src/log.ts";
import { createRelay } from "../src/outbox/relay.ts";
import type { OutboxDB } from "../src/outbox/types.ts";
import { runService } from "../src/service.ts";

const env = (key: string): string => {
  const v = process.env[key];
  if (!v) throw new Error(`${key} is not set`);
  return v;
};

await runService("relay-child", async () => {
  const url = env("RELAY_DATABASE_URL");
  const log = createLogger("relay-child", "warn");
  const handle = createDatabase<OutboxDB>(url, 4);
  const boss = await startBoss(url, log, 2);
  const endpoint = env("RELAY_ENDPOINT");
  const relay = createRelay<OutboxDB>({
    name: "pe",
    db: handle.db,
    connectionString: url,
    boss,
    routes: Object.fromEntries(
      env("RELAY_TOPICS")
        .split(",")
        .map((t) => [t, { destination: "peer", url: endpoint }]),
    ),
    secret: env("RELAY_SECRET"),
    log,
    options: JSON.parse(process.env.RELAY_OPTIONS ?? "{}"),
  });
  await relay.start();
  process.stdout.write("ready\n");
  return {
    async stop() {
      await relay.stop();
      await boss.stop({ graceful: true, timeout: 2_000 });
      await handle.close();
    },
  };
});
