import { serviceEntry } from "@loans/db/services";
import { parseConfig, productionGuards, serviceEnv } from "@loans/shared";
import type { z } from "zod";

// PE_PORT, PE_HOST, PE_DATABASE_URL and where it finds Origination and the Payment Gateway (ORIGINATION_URL, GATEWAY_URL), from the registry.
export const peEnv = serviceEnv(serviceEntry("pe"), [serviceEntry("origination"), serviceEntry("gateway")]).superRefine(
  productionGuards,
);

export type PeConfig = Readonly<z.output<typeof peEnv>>;

export const loadPeConfig = (env: Record<string, string | undefined> = process.env): PeConfig =>
  parseConfig(peEnv, env);
