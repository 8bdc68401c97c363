import { commonEnv, databaseUrl, parseConfig, port, productionGuards, url } from "@loans/shared";
import { z } from "zod";

export const originationEnv = commonEnv
  .extend({
    ORIGINATION_PORT: port(3002),
    ORIGINATION_HOST: z.string().default("127.0.0.1"),
    ORIGINATION_DATABASE_URL: databaseUrl(),
    PE_URL: url().default("http://127.0.0.1:3001"),
    SCORING_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  })
  .superRefine(productionGuards);

export type OriginationConfig = Readonly<z.output<typeof originationEnv>>;

export const loadOriginationConfig = (env: Record<string, string | undefined> = process.env): OriginationConfig =>
  parseConfig(originationEnv, env);
