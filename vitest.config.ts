import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{db,shared,pe,origination,e2e,bench}/test/**/*.test.ts"],
    globalSetup: ["db/test-kit/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
