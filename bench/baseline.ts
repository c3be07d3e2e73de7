/**
 * The previous design, runnable beside this checkout: a detached git worktree of a ref under the OS temp
 * directory, with `node_modules` symlinked to this checkout's, so `src/main.ts` runs from it as is.
 *
 * `tsx bench/baseline.ts [ref]` prints the worktree's directory (making it if needed);
 * `tsx bench/baseline.ts --remove [ref]` removes it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The read path as a TTL cache in front of per-resource IVS calls. */
export const BASELINE_COMMIT = "1563d73587f30f80a3d7659aa6491cf6d5d44954";

/** The checkout this file belongs to. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface Worktree {
  /** Directory holding the ref's tree; run `src/main.ts` from here. */
  dir: string;
  /** The commit it is at. */
  commit: string;
  /** The ref as asked. */
  ref: string;
  /** Whether an existing worktree was reused. */
  reused: boolean;
  /**
   * Removes the worktree (and its registration in this repository) if this call made it. A reused one may
   * be another run's, still running from it: it stays (`tsx bench/baseline.ts --remove [ref]` removes it).
   */
  cleanup(): void;
}

function git(args: string[], cwd = REPO_ROOT): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The ref to compare against: BENCH_BASELINE_REF, else the last commit of the previous design. */
export function baselineRef(env: Record<string, string | undefined> = process.env): string {
  return env.BENCH_BASELINE_REF?.trim() || BASELINE_COMMIT;
}

/** The commit a ref names in this repository; throws with git's message when it names none. */
export function resolveCommit(ref: string): string {
  return git(["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`]);
}

function worktreeDir(commit: string): string {
  return join(tmpdir(), `ivs-gateway-bench-${commit.slice(0, 12)}`);
}

function registeredWorktrees(): Set<string> {
  const dirs = new Set<string>();
  for (const line of git(["worktree", "list", "--porcelain"]).split("\n"))
    if (line.startsWith("worktree ")) dirs.add(resolve(line.slice("worktree ".length)));
  return dirs;
}

function remove(dir: string): void {
  if (registeredWorktrees().has(resolve(dir))) git(["worktree", "remove", "--force", dir]);
  git(["worktree", "prune"]);
}

/**
 * Makes (or reuses, when it exists at that commit) a detached worktree of `ref` under the OS temp
 * directory, with `node_modules` linked to this checkout's, and returns it.
 */
export function prepareWorktree(ref = baselineRef()): Worktree {
  const commit = resolveCommit(ref);
  const dir = worktreeDir(commit);
  let reused = false;
  if (existsSync(dir)) {
    let head = "";
    try {
      head = git(["rev-parse", "HEAD"], dir);
    } catch {}
    if (head === commit && registeredWorktrees().has(resolve(dir))) reused = true;
    else remove(dir);
  }
  if (!reused) {
    // A directory left behind by a crashed run and never registered: let git refuse it loudly rather than guess.
    git(["worktree", "prune"]);
    git(["worktree", "add", "--detach", dir, commit]);
  }
  const modules = join(dir, "node_modules");
  let linked = false;
  try {
    linked = lstatSync(modules).isSymbolicLink() || lstatSync(modules).isDirectory();
  } catch {}
  if (!linked) symlinkSync(join(REPO_ROOT, "node_modules"), modules, "dir");
  return { dir, commit, ref, reused, cleanup: () => (reused ? undefined : remove(dir)) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const removing = args.includes("--remove");
  const ref = args.find((a) => a !== "--remove") ?? baselineRef();
  if (removing) {
    const dir = worktreeDir(resolveCommit(ref));
    remove(dir);
    console.log(`removed ${dir}`);
  } else {
    const w = prepareWorktree(ref);
    console.log(`${w.dir} (${w.commit}${w.reused ? ", reused" : ""})`);
  }
}
