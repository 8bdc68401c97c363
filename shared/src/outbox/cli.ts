/**
 * Operator's view of a service's outbox:
 *   pnpm outbox <service> status | dead [limit] | retry <id> [--force] | retry --all-dead [--force]
 * Reads the service's database variable (db/src/services.ts); without it, the databases of a running
 * `pnpm start`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type DatabaseName, serviceEntry } from "@loans/db/services";
import pg from "pg";
import { UsageError } from "../args.ts";
import { oneLine } from "../service.ts";
import { deadLimit, parseOutboxArgs, USAGE } from "./cli-args.ts";
import { deadLetters, formatAge, formatTable, RequeueRefused, requeueDead, topicStatus } from "./inspect.ts";

/** `pnpm start` leaves the URLs of its embedded databases in .data/urls.json while it runs. */
function startedUrls(): Partial<Record<DatabaseName, string>> | undefined {
  try {
    return JSON.parse(readFileSync(join(process.cwd(), ".data", "urls.json"), "utf8"));
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<string> {
  // --force: requeue even after later messages of the aggregate were delivered (inspect.ts, requeueDead).
  const args = parseOutboxArgs(argv);
  const { databaseVar, database } = serviceEntry(args.service);
  const url = process.env[databaseVar] ?? startedUrls()?.[database];
  if (!url) throw new UsageError(`${databaseVar} is not set, and no \`pnpm start\` is running here`);
  const client = new pg.Client({ connectionString: url, application_name: "outbox-cli" });
  await client.connect();
  try {
    switch (args.command) {
      case "status":
        return await status(client, args);
      case "dead":
        return await dead(client, args);
      case "retry":
        return await retry(client, args);
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    await client.end();
  }
}

type Args = ReturnType<typeof parseOutboxArgs>;

async function status(client: pg.Client, { service }: Args): Promise<string> {
  const rows = await topicStatus(client);
  if (rows.length === 0) return `${service} outbox: empty`;
  return formatTable(
    ["topic", "destination", "pending", "due", "retrying", "oldest", "last min", "last hour", "dead"],
    rows.map((r) => [
      r.topic,
      r.destination ?? "(no route)",
      r.pending,
      r.due,
      r.retrying,
      formatAge(r.oldestAgeSeconds),
      r.lastMinute,
      r.lastHour,
      r.dead,
    ]),
  );
}

async function dead(client: pg.Client, { service, arg }: Args): Promise<string> {
  const limit = arg === undefined ? 50 : deadLimit(arg);
  const rows = await deadLetters(client, limit);
  if (rows.length === 0) return `${service} outbox: no dead messages`;
  return formatTable(
    ["id", "topic", "destination", "aggregate", "attempts", "dead at", "last error"],
    rows.map((r) => [
      r.id,
      r.topic,
      r.destination ?? "-",
      r.aggregateId,
      r.attempts,
      r.deadAt.toISOString(),
      (r.lastError ?? "").slice(0, 80),
    ]),
  );
}

async function retry(client: pg.Client, { service, arg, allDead, force }: Args): Promise<string> {
  if (allDead && arg === undefined) {
    const ids = await requeueDead(client, "all", { force });
    return `${service} outbox: requeued ${ids.length} dead message(s)`;
  }
  if (allDead || !arg || !/^\d+$/.test(arg)) throw new UsageError(USAGE);
  const ids = await requeueDead(client, { id: arg }, { force });
  if (ids.length === 0) throw new Error(`no dead message with id ${arg}`);
  // The other dead messages of its aggregate go with it, to keep their order.
  return `${service} outbox: requeued message ${arg}${ids.length > 1 ? ` with ${ids.filter((i) => i !== arg).join(", ")}` : ""}`;
}

main(process.argv.slice(2)).then(
  (out) => process.stdout.write(`${out}\n`),
  (err) => {
    const usage = err instanceof UsageError;
    const plain = usage || err instanceof RequeueRefused;
    (usage && err.exitCode === 0 ? process.stdout : process.stderr).write(
      `${plain ? err.message : `outbox: ${oneLine(err)}`}\n`,
    );
    process.exitCode = usage ? err.exitCode : 1;
  },
);
