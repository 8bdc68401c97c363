/**
 * Command-line arguments for the project's tools (`pnpm bench`, `pnpm chaos`, `pnpm outbox`), on
 * `node:util` `parseArgs`: `--name value` and `--name=value` both work, an unknown flag or a value that is
 * not a number in range is refused with the flag's name and the usage, and the tool exits 2.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

/** A refusal of the command line: printed with the usage; exit 2 (0 for `--help`, printed to stdout). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `parseArgs` in strict mode, its errors (unknown flag, missing value, stray argument) as UsageErrors. */
export function parseCommandLine<const O extends Options>(
  argv: readonly string[],
  options: O,
  usage: string,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals });
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    if (!code.startsWith("ERR_PARSE_ARGS_")) throw err;
    throw new UsageError(`${(err as Error).message.split("\n")[0]}\n${usage}`);
  }
}

export interface NumberRule {
  min: number;
  max: number;
  /** Whole numbers only. */
  integer?: boolean;
}

/**
 * The value of `--name` as a number within the rule, or a UsageError that names the flag. A `name` with a
 * space in it names a positional argument as it is ("dead <limit>").
 */
export function numberFlag(name: string, value: string, rule: NumberRule, usage: string): number {
  const n = value.trim() === "" ? Number.NaN : Number(value);
  const kind = rule.integer ? "a whole number" : "a number";
  if (!Number.isFinite(n) || (rule.integer && !Number.isInteger(n)) || n < rule.min || n > rule.max) {
    const label = name.includes(" ") ? name : `--${name}`;
    throw new UsageError(`${label} must be ${kind} from ${rule.min} to ${rule.max}, not "${value}"\n${usage}`);
  }
  return n;
}

/** Parses with `parse`, or prints the refusal (or the help) and exits with its code. */
export function parseOrExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    (err.exitCode === 0 ? process.stdout : process.stderr).write(`${err.message}\n`);
    process.exit(err.exitCode);
  }
}
