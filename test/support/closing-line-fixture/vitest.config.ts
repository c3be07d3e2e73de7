import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// For test/support/closing-line.spawn.test.ts only: the fixture, reported by the closing-line reporter alone.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
    include: ["*.fixture.ts"],
    reporters: [fileURLToPath(new URL("../closing-line.ts", import.meta.url))],
  },
});
