/**
 * Readers of the deployment files (Dockerfile, .dockerignore, compose.yaml) for the tests in this folder,
 * which cannot build images or run Docker: they check the files' rules, and run what the image would run
 * as plain processes.
 */
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
  line: number;
}

export interface Stage {
  name: string | undefined;
  image: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Splits a Dockerfile into stages of instructions (comments dropped, `\` continuations joined). */
export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending = "";
  let start = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trimEnd();
    if (pending === "" && (line.trim() === "" || line.trimStart().startsWith("#"))) return;
    if (pending !== "" && line.trimStart().startsWith("#")) return;
    if (pending === "") start = i + 1;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      return;
    }
    const full = (pending + line.trim()).trim();
    pending = "";
    const m = /^(\w+)\s*(.*)$/s.exec(full);
    if (m?.[1]) instructions.push({ keyword: m[1].toUpperCase(), args: m[2] ?? "", line: start });
  });
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args.trim());
      if (!m?.[1]) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      const image = m[1].replace(/\$\{?(\w+)\}?/g, (_, name: string) => globalArgs[name] ?? "");
      stages.push({ name: m[2], image, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword === "ARG") {
        const [name, value = ""] = ins.args.trim().split("=", 2) as [string, string?];
        globalArgs[name] = value;
      }
    } else stages.at(-1)?.instructions.push(ins);
  }
  return { globalArgs, stages };
}

export function readDockerfile(): Dockerfile {
  return parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
}

/** The stage images run in. */
export function finalStage(file: Dockerfile): Stage {
  const last = file.stages.at(-1);
  if (!last) throw new Error("the Dockerfile has no FROM");
  return last;
}

/** `KEY=value KEY2="value 2"` of an ENV instruction (the legacy `ENV KEY value` form too). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of stage.instructions.filter((i) => i.keyword === "ENV")) {
    if (!ins.args.includes("=")) {
      const [key, ...rest] = ins.args.trim().split(/\s+/);
      if (key) env[key] = rest.join(" ");
      continue;
    }
    for (const m of ins.args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const value = m[2] ?? "";
      env[m[1] as string] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
    }
  }
  return env;
}

/** The exec (JSON array) form of CMD, ENTRYPOINT or HEALTHCHECK … CMD; the shell form is refused. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf("["));
  const parsed = JSON.parse(json) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string"))
    throw new Error(`not an exec-form array: ${args}`);
  return parsed as string[];
}

export interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
}

export function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === "COPY" || i.keyword === "ADD")
    .map((i) => {
      const words = i.args.trim().split(/\s+/);
      const flags = words.filter((w) => w.startsWith("--"));
      const paths = words.filter((w) => !w.startsWith("--"));
      const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? "" };
    });
}

/** Whether .dockerignore keeps `path` (relative, with /) out of the build context: last matching rule wins. */
export function dockerignored(rules: string[], path: string): boolean {
  let ignored = false;
  const parents = path.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
  for (const raw of rules) {
    const negate = raw.startsWith("!");
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, "");
    const re = new RegExp(
      `^${pattern
        .split("**")
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, "[^/]*")
            .replace(/\?/g, "[^/]"),
        )
        .join(".*")}$`,
    );
    if (parents.some((p) => re.test(p))) ignored = !negate;
  }
  return ignored;
}

export function dockerignoreRules(): string[] {
  return readFileSync(join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

// ---- compose.yaml ----

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; retries?: number };
  stop_grace_period?: string;
}

export interface Compose {
  services: Record<string, ComposeService>;
  [extension: `x-${string}`]: unknown;
}

/** compose.yaml with merge keys applied and `${VAR:-default}` / `${VAR}` interpolated from `vars`. */
export function readCompose(vars: Record<string, string | undefined> = {}): Compose {
  const text = readFileSync(join(ROOT, "compose.yaml"), "utf8");
  const doc = parseYaml(text, { merge: true }) as Compose;
  return interpolate(doc, vars) as Compose;
}

function interpolate(value: unknown, vars: Record<string, string | undefined>): unknown {
  if (typeof value === "string")
    return value.replace(/\$\$|\$\{(\w+)(?::?-([^}]*))?\}/g, (all, name?: string, fallback?: string) => {
      if (all === "$$") return "$";
      const v = vars[name as string];
      if (v !== undefined && v !== "") return v;
      if (fallback === undefined) throw new Error(`compose.yaml needs ${name}, which has no default`);
      return fallback;
    });
  if (Array.isArray(value)) return value.map((v) => interpolate(v, vars));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars)]));
  return value;
}

/** The container port of each `ports:` entry ("127.0.0.1:4002:4000" → 4000). */
export function containerPorts(service: ComposeService): number[] {
  return (service.ports ?? []).map((p) => Number(String(p).split(":").at(-1)?.split("/")[0]));
}

/** Services in an order that starts each after what it depends on. */
export function startOrder(compose: Compose): string[] {
  const order: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (order.includes(name)) return;
    if (path.includes(name)) throw new Error(`depends_on cycle: ${[...path, name].join(" → ")}`);
    const service = compose.services[name];
    if (!service) throw new Error(`depends_on names an unknown service ${name}`);
    for (const dep of Object.keys(service.depends_on ?? {})) visit(dep, [...path, name]);
    order.push(name);
  };
  for (const name of Object.keys(compose.services)) visit(name, []);
  return order;
}

/** Seconds of a compose duration such as 30s, 1m30s or 500ms. */
export function seconds(duration: string): number {
  let total = 0;
  for (const m of duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const n = Number(m[1]);
    total += m[2] === "h" ? n * 3600 : m[2] === "m" ? n * 60 : m[2] === "ms" ? n / 1000 : n;
  }
  return total;
}

// ---- what the image would hold ----

interface LockPackage {
  dev?: boolean;
  optional?: boolean;
}

/**
 * A directory holding what the final stage copies, built the way `docker build` would: the sources a stage
 * COPYs from the context (minus .dockerignore); for `COPY --from=<stage> … node_modules` the packages
 * `npm ci --omit=dev` installs (the lockfile's non-dev entries), hard-linked from this checkout's
 * node_modules; and for a copy from any other stage, that stage staged the same way with its `RUN node …`
 * steps run in it (the build stage making dist/). Run from it, a process sees no devDependency and no file
 * the image lacks. The caller removes it.
 */
export function stageImageFiles(file: Dockerfile): string {
  const dir = mkdtempSync(join(tmpdir(), "ivs-gateway-image-"));
  stageInto(file, finalStage(file), dir);
  return dir;
}

/** Inside a stage, paths under its WORKDIR (`/app`, the only one used) are relative to the staged dir. */
const inWorkdir = (path: string) => (path.startsWith("/app/") ? path.slice("/app/".length) : path);

function stageInto(file: Dockerfile, stage: Stage, dir: string): void {
  const rules = dockerignoreRules();
  for (const ins of stage.instructions) {
    if (ins.keyword === "RUN") {
      runStep(ins.args, dir);
      continue;
    }
    if (ins.keyword !== "COPY" && ins.keyword !== "ADD") continue;
    const [copy] = copiesOf({ ...stage, instructions: [ins] }) as [Copy];
    const dest = inWorkdir(copy.dest);
    if (copy.from !== undefined) {
      if (copy.sources.every((s) => /(^|\/)node_modules$/.test(s))) {
        stageProductionModules(join(dir, dest));
        continue;
      }
      const from = file.stages.find((s) => s.name === copy.from);
      if (!from) throw new Error(`COPY --from=${copy.from}: no such stage`);
      const built = mkdtempSync(join(tmpdir(), `ivs-gateway-stage-${copy.from}-`));
      try {
        stageInto(file, from, built);
        for (const source of copy.sources)
          cpSync(join(built, inWorkdir(source)), join(dir, dest), { recursive: true });
      } finally {
        rmSync(built, { recursive: true, force: true });
      }
      continue;
    }
    for (const source of copy.sources) {
      const target =
        dest.endsWith("/") || copy.sources.length > 1 ? join(dir, dest, source) : join(dir, dest);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(ROOT, source), target, {
        recursive: true,
        filter: (from) => {
          const rel = relative(ROOT, from).split("\\").join("/");
          return rel === "" || !dockerignored(rules, rel);
        },
      });
    }
  }
}

/**
 * A stage's RUN step, in the staged dir: `node …` runs with this Node; the install step (`npm ci`) is what
 * stageProductionModules stands for, so it is not run again. Anything else cannot be staged here.
 */
function runStep(args: string, dir: string): void {
  if (/^npm ci\b/.test(args.trim())) return;
  const words = args.trim().startsWith("[") ? execForm(args) : args.trim().split(/\s+/);
  const [bin, ...rest] = words;
  if (bin !== "node" || rest.some((w) => /[;&|<>$`]/.test(w)))
    throw new Error(`RUN ${args}: only a plain node command (or npm ci) can be staged`);
  execFileSync(process.execPath, rest, { cwd: dir, stdio: "pipe" });
}

function stageProductionModules(target: string): void {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockPackage>;
  };
  mkdirSync(target, { recursive: true });
  const entries = Object.entries(lock.packages).filter(([path]) => path.startsWith("node_modules/"));
  const topLevel = entries.filter(([path]) => path.split("node_modules/").length === 2);
  for (const [path, pkg] of topLevel) {
    if (pkg.dev) continue;
    const from = join(ROOT, path);
    if (!existsSync(from)) {
      if (pkg.optional) continue; // another platform's binary
      throw new Error(`${path} is in package-lock.json but not installed: run npm ci`);
    }
    const to = join(target, path.slice("node_modules/".length));
    mkdirSync(dirname(to), { recursive: true });
    // Hard links: fast, and nothing here writes into the staged files.
    execFileSync("cp", ["-al", from, to]);
  }
  // Nested dev-only copies under a production package would not be installed either.
  for (const [path, pkg] of entries)
    if (pkg.dev && path.split("node_modules/").length > 2)
      rmSync(join(target, path.slice("node_modules/".length)), { recursive: true, force: true });
}

/** Every .ts/.js/.mjs file under `dir`. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}
