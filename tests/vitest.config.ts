import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    root: fileURLToPath(new URL("..", import.meta.url)),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn real git and the built CLI; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
