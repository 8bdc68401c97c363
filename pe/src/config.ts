import { commonEnv, databaseUrl, parseConfig, port, productionGuards, url } from "@loans/shared";
import { z } from "zod";

export const peEnv = commonEnv
  .extend({
    PE_PORT: port(3001),
    PE_HOST: z.string().default("127.0.0.1"),
    PE_DATABASE_URL: databaseUrl(),
    ORIGINATION_URL: url().default("http://127.0.0.1:3002"),
    GATEWAY_URL: url().default("http://127.0.0.1:3003"),
  })
  .superRefine(productionGuards);

export type PeConfig = Readonly<z.output<typeof peEnv>>;

export const loadPeConfig = (env: Record<string, string | undefined> = process.env): PeConfig =>
  parseConfig(peEnv, env);
