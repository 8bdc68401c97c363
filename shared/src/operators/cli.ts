/**
 * `pnpm operators add <name> <role> | list | revoke <tokenId>`: the operator registry from a terminal, with
 * the functions the admin API uses (commands.ts). Reads OPERATORS_DATABASE_URL; without it, the registry of
 * a running `pnpm start` (.data/urls.json).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../args.ts";
import { oneLine } from "../service.ts";
import { parseOperatorsArgs, runOperatorsCommand } from "./commands.ts";
import { OperatorRegistry } from "./registry.ts";

function registryUrl(): string | undefined {
  if (process.env.OPERATORS_DATABASE_URL) return process.env.OPERATORS_DATABASE_URL;
  try {
    return JSON.parse(readFileSync(join(process.cwd(), ".data", "urls.json"), "utf8")).operators;
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<string> {
  const cmd = parseOperatorsArgs(argv);
  const url = registryUrl();
  if (!url) throw new UsageError("OPERATORS_DATABASE_URL is not set, and no `pnpm start` is running here");
  const registry = OperatorRegistry.open(url);
  try {
    return await runOperatorsCommand(cmd, registry);
  } finally {
    await registry.close();
  }
}

main(process.argv.slice(2)).then(
  (out) => process.stdout.write(`${out}\n`),
  (err) => {
    const usage = err instanceof UsageError;
    (usage && err.exitCode === 0 ? process.stdout : process.stderr).write(
      `${usage ? err.message : `operators: ${oneLine(err)}`}\n`,
    );
    process.exitCode = usage ? err.exitCode : 1;
  },
);
