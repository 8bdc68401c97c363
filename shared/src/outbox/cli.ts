/**
 * Operator's view of a service's outbox:
 *   pnpm outbox <pe|origination> status | dead [limit] | retry <id> [--force] | retry --all-dead [--force]
 * Reads PE_DATABASE_URL or ORIGINATION_DATABASE_URL; without them, the databases of a running `pnpm start`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { oneLine } from "../service.ts";
import { deadLetters, formatAge, formatTable, RequeueRefused, requeueDead, topicStatus } from "./inspect.ts";

const USAGE =
  "usage: pnpm outbox <pe|origination> status | dead [limit] | retry <id> [--force] | retry --all-dead [--force]";
const URL_ENV = { pe: "PE_DATABASE_URL", origination: "ORIGINATION_DATABASE_URL" } as const;

class UsageError extends Error {}

/** `pnpm start` leaves the URLs of its embedded databases in .data/urls.json while it runs. */
function startedUrls(): { pe?: string; origination?: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(process.cwd(), ".data", "urls.json"), "utf8"));
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<string> {
  // --force: requeue even after later messages of the aggregate were delivered (inspect.ts, requeueDead).
  const force = argv.includes("--force");
  const [service, command, arg] = argv.filter((a) => a !== "--force");
  if (service !== "pe" && service !== "origination") throw new UsageError(USAGE);
  const url = process.env[URL_ENV[service]] ?? startedUrls()?.[service];
  if (!url) throw new UsageError(`${URL_ENV[service]} is not set, and no \`pnpm start\` is running here`);
  const client = new pg.Client({ connectionString: url, application_name: "outbox-cli" });
  await client.connect();
  try {
    switch (command) {
      case "status": {
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
      case "dead": {
        const limit = arg === undefined ? 50 : Number(arg);
        if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(USAGE);
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
      case "retry": {
        if (arg === "--all-dead") {
          const ids = await requeueDead(client, "all", { force });
          return `${service} outbox: requeued ${ids.length} dead message(s)`;
        }
        if (!arg || !/^\d+$/.test(arg)) throw new UsageError(USAGE);
        const ids = await requeueDead(client, { id: arg }, { force });
        if (ids.length === 0) throw new Error(`no dead message with id ${arg}`);
        // The other dead messages of its aggregate go with it, to keep their order.
        return `${service} outbox: requeued message ${arg}${ids.length > 1 ? ` with ${ids.filter((i) => i !== arg).join(", ")}` : ""}`;
      }
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    await client.end();
  }
}

main(process.argv.slice(2)).then(
  (out) => process.stdout.write(`${out}\n`),
  (err) => {
    const refused = err instanceof RequeueRefused;
    process.stderr.write(`${err instanceof UsageError || refused ? err.message : `outbox: ${oneLine(err)}`}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
