import { z } from "zod";
import { UsageError } from "../args.ts";
import { formatTable } from "../outbox/inspect.ts";
import { OperatorExists, type OperatorRegistry, operatorName, roleSchema } from "./registry.ts";
import { ROLES } from "./roles.ts";

export const OPERATORS_USAGE = `usage: pnpm operators add <name> <role> | list | revoke <tokenId>
  roles: ${ROLES.join(", ")}
  the registry: OPERATORS_DATABASE_URL, else the one of a running \`pnpm start\``;

export type OperatorsCommand =
  | { command: "add"; name: string; role: (typeof ROLES)[number] }
  | { command: "list" }
  | { command: "revoke"; tokenId: string };

/** A token's id as given: the uuid, or the `op_<32 hex>` a list shows (or a whole token), read as one. */
export function tokenIdOf(text: string): string | null {
  const hex = /^op_([0-9a-f]{32})(_.*)?$/.exec(text)?.[1];
  const id = hex
    ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    : text;
  return z.uuid().safeParse(id).success ? id.toLowerCase() : null;
}

/** The command line, checked with the API's own rules (name, role), every refusal a UsageError. */
export function parseOperatorsArgs(argv: readonly string[]): OperatorsCommand {
  const [command, ...rest] = argv;
  const arity = (n: number) => {
    if (rest.length !== n) throw new UsageError(`${command} takes ${n} argument(s)\n${OPERATORS_USAGE}`);
  };
  switch (command) {
    case "add": {
      arity(2);
      const name = operatorName.safeParse(rest[0]);
      if (!name.success) throw new UsageError(`name: ${name.error.issues[0]?.message}\n${OPERATORS_USAGE}`);
      const role = roleSchema.safeParse(rest[1]);
      if (!role.success) throw new UsageError(`role ${rest[1]}: must be one of ${ROLES.join(", ")}`);
      return { command, name: name.data, role: role.data };
    }
    case "list":
      arity(0);
      return { command };
    case "revoke": {
      arity(1);
      const tokenId = tokenIdOf(rest[0]!);
      if (!tokenId) throw new UsageError(`${rest[0]} is no token id (a uuid, or op_<32 hex>)\n${OPERATORS_USAGE}`);
      return { command, tokenId };
    }
    default:
      throw new UsageError(OPERATORS_USAGE, command === "--help" || command === "help" ? 0 : 2);
  }
}

/** Runs one command against the registry with the functions the admin API uses; answers what to print. */
export async function runOperatorsCommand(cmd: OperatorsCommand, registry: OperatorRegistry): Promise<string> {
  switch (cmd.command) {
    case "add": {
      try {
        const { operator, token } = await registry.addOperator({ name: cmd.name, role: cmd.role }, "cli");
        return `added ${operator.name} (${operator.role}), id ${operator.id}\ntoken (shown once): ${token.token}`;
      } catch (err) {
        if (err instanceof OperatorExists) throw new UsageError(err.message, 1);
        throw err;
      }
    }
    case "list": {
      const all = await registry.listOperators();
      if (all.length === 0) return "no operators (ADMIN_TOKEN is the bootstrap admin)";
      return formatTable(
        ["name", "role", "id", "token", "token id", "revoked"],
        all.flatMap((o) =>
          (o.tokens.length ? o.tokens : [null]).map((t) => [
            o.name,
            o.role,
            o.id,
            t?.display ?? "-",
            t?.id ?? "-",
            t?.revokedAt ?? "-",
          ]),
        ),
      );
    }
    case "revoke":
      if (!(await registry.revokeToken(cmd.tokenId))) throw new UsageError(`no live token ${cmd.tokenId}`, 1);
      return `revoked ${cmd.tokenId}: refused at once here, by running services within OPERATOR_TOKEN_CACHE_MS`;
  }
}
