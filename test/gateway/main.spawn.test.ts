import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { createEmulator } from "../../emulator/index.ts";
import { GATEWAY_PROGRAM } from "../support/programs.ts";

// Each test starts its own gateway process on its own ports, one after another: a start costs about 2 CPU-s,
// and five at once on a 2-core machine next to the rest of the suite miss every deadline.
/** Whether any process of `pid`'s group still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("npm start (dist/main.js)", () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children)
      if (alive(child.pid as number)) process.kill(-(child.pid as number), "SIGKILL");
  });

  /** Starts `node dist/main.js`, or with `npm: true` the README's `npm start`. */
  const run = (env: Record<string, string>, { npm = false } = {}) => {
    // A clean environment: variables of the machine running the tests must not change the outcome.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !/^(AWS_|IVS_|PORT$|HOST$|LOG_LEVEL$|SEED_|EMULATOR_|REDIS_)/.test(k),
      ),
    );
    // Each in a process group of its own, as a terminal would start it, so that Ctrl-C reaches all of it.
    const options: SpawnOptions = {
      env: { ...inherited, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    };
    const child = npm
      ? spawn("npm", ["start"], options)
      : spawn(process.execPath, [...GATEWAY_PROGRAM], options);
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, exited, out: () => stdout, err: () => stderr };
  };

  it("npm start, as README has it: prints its URLs and commands that work when pasted as printed (curl, the AWS CLI), serves, and stops on Ctrl-C", async () => {
    const proc = run({ PORT: "0", EMULATOR_PORT: "0", DEMO_BROADCASTS: "false" }, { npm: true });
    const deadline = Date.now() + 20_000;
    while (!/list-channels.*\n/.test(proc.out()) && Date.now() < deadline && proc.child.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
    const out = proc.out();
    const exported = /Dev token \(24 h\): +(export TOKEN=\S+)/.exec(out)?.[1];
    const block = out.slice(out.indexOf("Try it from a shell:")).split("\n").slice(1);
    const commands = block.filter((l) => l.startsWith("  ")).map((l) => l.slice(2));
    expect(exported, out).toBeDefined();
    expect(commands.length).toBeGreaterThanOrEqual(5);
    // Pasted into a shell as they are: the export line first, then the block, one command after another.
    const script = [exported, ...commands].join("\n");
    const shell = spawn("bash", ["-euo", "pipefail", "-c", script], { stdio: ["ignore", "pipe", "pipe"] });
    let printed = "";
    shell.stdout.on("data", (d) => {
      printed += String(d);
    });
    shell.stderr.on("data", (d) => {
      printed += String(d);
    });
    const code = await new Promise<number | null>((resolve) => shell.on("exit", resolve));
    expect(code, printed).toBe(0);
    // The GraphQL query answered with the demo channels, the emulator started a broadcast, the CLI listed.
    expect(printed).toMatch(/\{"data":\{"channels":\{"edges":\[.*"demo-idle"/);
    expect(printed).toMatch(/"streamId":"st-\w+"/);
    expect(printed).toMatch(/"name": "demo-idle"/);
    const base = /GraphQL and GraphiQL: (http:\/\/\S+)\/graphql/.exec(out)?.[1];
    expect(base, out).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out).toMatch(/IVS emulator: +http:\/\/127\.0\.0\.1:\d+/);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    // The live page's HTML and script are read beside the built file: the build put them there.
    const live = await fetch(`${base}/live`);
    expect(live.status).toBe(200);
    expect(await live.text()).toMatch(/id="rows"[\s\S]*<script nonce=/);
    // Ctrl-C: SIGINT to npm and the gateway under it. npm ends by the signal; the gateway drains and stops.
    process.kill(-(proc.child.pid as number), "SIGINT");
    await proc.exited;
    await expect.poll(() => proc.out()).toContain('"msg":"stopped"');
    expect(proc.out()).toContain('"signal":"SIGINT"');
    // Nothing of the group is left running.
    await expect.poll(() => alive(proc.child.pid as number)).toBe(false);
    // No wall of SDK notices: the pinned SDK supports this Node (README, `engines`).
    expect(proc.err()).not.toMatch(/NodeVersionSupportWarning|Warning:/);
  });

  it("writes human-readable log lines with LOG_FORMAT=pretty, secrets still redacted", async () => {
    const proc = run({ PORT: "0", SEED_DEMO_DATA: "false", LOG_FORMAT: "pretty" });
    const deadline = Date.now() + 15_000;
    while (!/Metrics: +http/.test(proc.out()) && Date.now() < deadline && proc.child.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    const lines = proc.out().split("\n");
    expect(
      lines.some((l) => /INFO.*gateway listening/.test(l)),
      proc.out(),
    ).toBe(true);
    expect(lines.filter((l) => l.startsWith("{"))).toEqual([]);
    const token = /export TOKEN=(\S+)/.exec(proc.out())?.[1] ?? "";
    expect(token).toMatch(/^ey/);
    expect(proc.out().split(token).length - 1).toBe(1);
  });

  it("writes JSON lines only on stdout outside development, and a SIGTERM while it starts drains once started", async () => {
    const emulator = createEmulator({ port: 0 });
    await emulator.start();
    try {
      const proc = run({
        PORT: "0",
        IVS_ENDPOINT: emulator.url,
        IVS_ANONYMOUS: "true",
        AUTH_DISABLED: "true",
      });
      const deadline = Date.now() + 15_000;
      while (!/"msg":"starting"/.test(proc.out()) && Date.now() < deadline && proc.child.exitCode === null)
        await new Promise((r) => setTimeout(r, 20));
      expect(proc.out() + proc.err()).toMatch(/"msg":"starting"/);
      // A SIGTERM while it starts is kept: the start finishes, then the gateway drains and exits 0 (the
      // default action would have killed it half-started, exit code null).
      proc.child.kill("SIGTERM");
      expect(await proc.exited, proc.out() + proc.err()).toBe(0);
      const lines = proc.out().split("\n").filter(Boolean);
      const messages = lines.map((l) => String((JSON.parse(l) as { msg?: unknown }).msg));
      expect(messages, proc.out()).toContain("gateway listening");
      expect(messages.indexOf("shutting down: draining")).toBeGreaterThan(
        messages.indexOf("gateway listening"),
      );
      expect(messages.at(-1)).toBe("stopped");
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    } finally {
      await emulator.stop();
    }
  });

  it("exits 2 naming the bad variable", async () => {
    const proc = run({ PORT: "eighty" });
    expect(await proc.exited).toBe(2);
    expect(proc.err()).toContain('PORT must be a whole number from 0 to 65535, got "eighty"');
  });
});
