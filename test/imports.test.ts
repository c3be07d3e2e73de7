import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

// madge ships no types; this is the part of its API the test uses.
type Madge = (
  paths: string[],
  options: { fileExtensions: string[]; tsConfig: string; baseDir: string },
) => Promise<{ circular(): string[][]; obj(): Record<string, string[]> }>;
const madge = createRequire(import.meta.url)("madge") as Madge;

const root = new URL("..", import.meta.url).pathname;

describe("imports", () => {
  it("form no circle in src/ or emulator/ (type-only imports count too)", async () => {
    const graph = await madge(["src", "emulator"], {
      fileExtensions: ["ts"],
      tsConfig: `${root}tsconfig.json`,
      baseDir: root,
    });
    // The graph holds the whole program: an empty one would find no circle either.
    expect(Object.keys(graph.obj()).length).toBeGreaterThan(200);
    expect(graph.circular()).toEqual([]);
  }, 30_000);
});
