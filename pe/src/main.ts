import { runService } from "@loans/shared";
import { loadPeConfig } from "./config.ts";
import { startPe } from "./service.ts";

await runService("pe", () => startPe(loadPeConfig()));
