/** Origination with the pg-boss baseline in place of its relay, for `pnpm bench` only; built into origination/dist/baseline.mjs. */
import { runService } from "@loans/shared";
import { loadOriginationConfig } from "../../origination/src/config.ts";
import { startOrigination } from "../../origination/src/service.ts";
import { createBossTransport } from "../boss-transport.ts";

await runService("origination", () => startOrigination(loadOriginationConfig(), { transport: createBossTransport }));
