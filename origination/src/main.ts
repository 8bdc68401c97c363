import { runService } from "@loans/shared";
import { loadOriginationConfig } from "./config.ts";
import { startOrigination } from "./service.ts";

await runService("origination", () => startOrigination(loadOriginationConfig()));
