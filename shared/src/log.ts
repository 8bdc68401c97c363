import { hostname } from "node:os";
import pino from "pino";
import { currentRequestId } from "./context.ts";
import { maskPersonalData } from "./mask.ts";

export type Level = "debug" | "info" | "warn" | "error" | "silent";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
}

/**
 * pino, one JSON object per line: `time` (ISO), `level` (a word), `service`, `pid` and `hostname` (two
 * instances are told apart), `requestId` when the line is written on behalf of a request or a message
 * (context.ts), `msg`, then the fields with personal data masked (mask.ts). An Error given as `err` is
 * written by pino's error serializer: `{ type, message, stack, ... }`, its causes included.
 */
/**
 * pino's error serializer, with the values PostgreSQL quotes in `detail` hidden ("Key (passport_number)=
 * (4510123456) already exists."): an error's own fields are not masked by name like the others.
 */
function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return maskPersonalData(err);
  const out = maskPersonalData(pino.stdSerializers.err(err)) as Record<string, unknown>;
  if (typeof out.detail === "string") out.detail = out.detail.replace(/=\(.*\)/s, "=(***)");
  return out;
}

export function createLogger(service: string, level: Level = "info", opts: LoggerOptions = {}): Logger {
  const logger = pino(
    {
      level,
      base: { service, pid: process.pid, hostname: hostname() },
      serializers: { err: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  const write = (lvl: Exclude<Level, "silent">) => (msg: string, fields?: Record<string, unknown>) => {
    if (!logger.isLevelEnabled(lvl)) return;
    logger[lvl](fields ? maskPersonalData(fields) : {}, msg);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
