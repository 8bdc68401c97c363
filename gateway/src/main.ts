import { runService } from "@loans/shared";
import { loadGatewayConfig } from "./config.ts";
import { startGateway } from "./service.ts";

await runService("gateway", () => startGateway(loadGatewayConfig()));
