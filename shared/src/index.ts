export { startBoss } from "./boss.ts";
export * from "./config.ts";
export { createDatabase, createPool, type DatabaseHandle, ping } from "./db.ts";
export { createBaseApp } from "./http/app.ts";
export { AppError, ERROR_STATUS, type ErrorCode, type ErrorDetail, notFound } from "./http/errors.ts";
export { listen, type RunningServer } from "./http/server.ts";
export { parseInput } from "./http/validate.ts";
export { createLogger, type Logger } from "./log.ts";
export { oneLine, runService } from "./service.ts";
