import { isServiceName, SERVICE_NAMES, type ServiceName } from "@loans/db/services";
import { numberFlag, parseCommandLine, UsageError } from "../args.ts";

export const USAGE = `usage: pnpm outbox <${SERVICE_NAMES.join("|")}> status | dead [limit] | retry <id> [--force] | retry --all-dead [--force]`;

export interface OutboxArgs {
  service: ServiceName;
  /** The command and what follows it, checked by the command itself. */
  command: string | undefined;
  arg: string | undefined;
  allDead: boolean;
  /** Requeue even when later messages of the aggregate were delivered meanwhile. */
  force: boolean;
}

/** `pnpm outbox`'s command line: the service, then the command and its argument; flags anywhere. */
export function parseOutboxArgs(argv: readonly string[]): OutboxArgs {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      "all-dead": { type: "boolean", default: false },
      force: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    USAGE,
    true,
  );
  if (values.help) throw new UsageError(USAGE, 0);
  const [service, command, arg, ...extra] = positionals;
  if (!isServiceName(service)) throw new UsageError(USAGE);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"\n${USAGE}`);
  return { service, command, arg, allDead: values["all-dead"], force: values.force };
}

/** `dead [limit]`: how many dead messages to list. */
export function deadLimit(arg: string): number {
  return numberFlag("dead <limit>", arg, { min: 1, max: 100_000, integer: true }, USAGE);
}
