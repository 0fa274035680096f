import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["test/setup/build.ts"],
    projects: [
      {
        extends: true,
        test: { name: "fused", include: ["test/**/*.test.ts"], setupFiles: ["test/setup/fused.ts"] },
      },
      {
        extends: true,
        test: { name: "simd128", include: ["test/backend/wasm_*.test.ts"], setupFiles: ["test/setup/simd128.ts"] },
      },
    ],
  },
});
