import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  copiesOf,
  dockerignored,
  dockerignoreRules,
  envOf,
  execForm,
  finalStage,
  ROOT,
  readDockerfile,
  sourceFiles,
} from "./deploy-files.ts";

/** The Dockerfile's rules, read from the file (the image itself cannot be built on the test machine). */
const file = readDockerfile();
const final = finalStage(file);
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const keyword = (k: string) => final.instructions.filter((i) => i.keyword === k);
/** Context paths the final stage copies (not from other stages). */
const copied = copiesOf(final)
  .filter((c) => c.from === undefined)
  .flatMap((c) => c.sources);
/** Context paths any stage copies: what the build context must hold. */
const fromContext = file.stages.flatMap((stage) =>
  copiesOf(stage)
    .filter((c) => c.from === undefined)
    .flatMap((c) => c.sources),
);

describe("Dockerfile", () => {
  it("is multi-stage, every stage on the same Node image pinned to a release", () => {
    expect(file.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of file.stages)
      expect(stage.image).toMatch(/^node:20\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    expect(new Set(file.stages.map((s) => s.image)).size).toBe(1);
    // The release satisfies package.json's engines (>=20.19).
    const [, minor] = /^node:20\.(\d+)\./.exec(file.stages[0]?.image ?? "") ?? [];
    expect(Number(minor)).toBeGreaterThanOrEqual(19);
  });

  it("installs production dependencies only, from the lockfile, and never in the final stage", () => {
    const installs = file.stages.flatMap((s) =>
      s.instructions.filter((i) => i.keyword === "RUN" && /\bnpm\s+(ci|install|i)\b/.test(i.args)),
    );
    expect(installs.length).toBeGreaterThan(0);
    for (const run of installs) {
      expect(run.args).toMatch(/\bnpm ci\b/);
      expect(run.args).toMatch(/--omit=dev\b/);
    }
    expect(keyword("RUN").filter((i) => /\bnpm\b/.test(i.args))).toEqual([]);
    // node_modules comes from a stage whose install omitted devDependencies.
    const modules = copiesOf(final).filter((c) => c.sources.some((s) => s.endsWith("node_modules")));
    expect(modules.length).toBe(1);
    const from = file.stages.find((s) => s.name === modules[0]?.from);
    expect(from?.instructions.some((i) => i.keyword === "RUN" && /npm ci .*--omit=dev/.test(i.args))).toBe(
      true,
    );
    // And nothing else brings node_modules in from the context.
    expect(copied.some((s) => s.includes("node_modules"))).toBe(false);
  });

  it("runs as a non-root user, in production mode, on port 4000", () => {
    const users = keyword("USER").map((i) => i.args.trim());
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const userLine = keyword("USER").at(-1)?.line ?? Infinity;
    expect(userLine).toBeLessThan(keyword("CMD")[0]?.line ?? 0);
    expect(envOf(final).NODE_ENV).toBe("production");
    expect(keyword("EXPOSE").map((i) => i.args.trim())).toContain("4000");
  });

  it("has a HEALTHCHECK in exec form, with node (the slim image has no curl)", () => {
    const checks = keyword("HEALTHCHECK");
    expect(checks.length).toBe(1);
    const command = execForm(checks[0]?.args ?? "");
    expect(command[0]).toBe("node");
    expect(command.join(" ")).toContain("/health");
  });

  it("starts the gateway with node itself (PID 1 gets SIGTERM), on the built file a build stage made", () => {
    const cmd = execForm(keyword("CMD").at(-1)?.args ?? "");
    expect(cmd).toEqual(["node", "dist/main.js"]);
    // dist/ comes from the stage that runs the build on the sources, not from the context.
    const dist = copiesOf(final).find((c) => c.sources.includes("/app/dist"));
    expect(dist?.dest).toBe("./dist");
    const build = file.stages.find((s) => s.name === dist?.from);
    expect(
      build?.instructions.some((i) => i.keyword === "RUN" && i.args === "node --import tsx scripts/build.ts"),
    ).toBe(true);
    expect(copied.some((s) => s.includes("dist"))).toBe(false);
    // The build (this run's, test/support/build.ts) makes both programs the image runs.
    expect(existsSync(join(ROOT, "dist/main.js"))).toBe(true);
    expect(existsSync(join(ROOT, "dist/emulator.js"))).toBe(true);
    // tsx and esbuild run the build with production dependencies only, so both are dependencies.
    expect(pkg.dependencies.tsx).toBeDefined();
    expect(pkg.dependencies.esbuild).toBeDefined();
  });

  it("copies the context only where .dockerignore lets it, and .dockerignore keeps the rest out", () => {
    const rules = dockerignoreRules();
    for (const source of fromContext) expect(dockerignored(rules, source), source).toBe(false);
    for (const kept of [
      "src/main.ts",
      "src/pages/live-status.html",
      "emulator/main.ts",
      "model/validate.ts",
      "scripts/build.ts",
    ])
      expect(dockerignored(rules, kept), kept).toBe(false);
    for (const out of [
      "node_modules",
      ".git",
      "test/readme.test.ts",
      ".env",
      ".emulator-state.json",
      "bench",
      "dist",
      "scripts/print-schema.ts",
    ])
      expect(dockerignored(rules, out), out).toBe(true);
  });

  it("builds from everything the built code imports: relative files inside the copy, packages in dependencies", () => {
    // The bundle leaves packages to node_modules, so what the sources import must be production dependencies.
    const roots = fromContext.filter((s) => !s.includes("."));
    expect(roots.sort()).toEqual(["emulator", "model", "src"]);
    expect(fromContext).toContain("scripts/build.ts");
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    for (const path of [
      ...roots.flatMap((root) => sourceFiles(join(ROOT, root))),
      join(ROOT, "scripts/build.ts"),
    ]) {
      const text = readFileSync(path, "utf8");
      const specifiers = [
        ...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']/gm),
        ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
      ].map((m) => m[1] as string);
      for (const spec of specifiers) {
        const where = relative(ROOT, path);
        if (spec.startsWith(".")) {
          const target = relative(ROOT, resolve(dirname(path), spec))
            .split("\\")
            .join("/");
          if (!roots.some((r) => target.startsWith(`${r}/`)))
            problems.push(`${where}: ${spec} is not copied`);
          continue;
        }
        if (spec.startsWith("node:") || builtins.has(spec)) continue;
        const name = spec.startsWith("@")
          ? spec.split("/").slice(0, 2).join("/")
          : (spec.split("/")[0] as string);
        if (!pkg.dependencies[name])
          problems.push(
            `${where}: ${name} is ${pkg.devDependencies[name] ? "a devDependency" : "not a dependency"}`,
          );
      }
    }
    expect(problems).toEqual([]);
  });
});
