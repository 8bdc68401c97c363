import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Every package's tests: a new service's folder is picked up without a line here.
    include: ["*/test/**/*.test.ts"],
    globalSetup: ["db/test-kit/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
