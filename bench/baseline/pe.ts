/** PE with the pg-boss baseline in place of its relay, for `pnpm bench` only; built into pe/dist/baseline.mjs. */
import { runService } from "@loans/shared";
import { loadPeConfig } from "../../pe/src/config.ts";
import { startPe } from "../../pe/src/service.ts";
import { createBossTransport } from "../boss-transport.ts";

await runService("pe", () => startPe(loadPeConfig(), { transport: createBossTransport }));
