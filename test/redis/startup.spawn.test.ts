import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/gateway.ts";
import { ConfigError } from "../../src/config/primitives.ts";
import { buildGateway } from "../../src/server.ts";
import { GATEWAY_PROGRAM } from "../support/programs.ts";
import { freePort } from "./redis-server.ts";

/*
 * Finding 10 of issue 11, start-up part: a REDIS_URL or IVS_ENDPOINT nothing answers at stops the start at
 * once, with a message that names the variable, exit code 2 and no stack trace (nor ioredis's "Unhandled
 * error event").
 */

/** Runs `node dist/main.js` (what `npm start` runs once built) with only `env` (and PATH/HOME); resolves with its exit code and stderr. */
async function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [...GATEWAY_PROGRAM], {
    cwd: new URL("../..", import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: "0", ...env },
    stdio: ["ignore", "ignore", "pipe"],
    // Its own process group, so that a run that did not fail can be stopped with any child it started.
    detached: true,
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  // A start that does not fail is a gateway left running: stop it (this test's own child) and say so.
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 30_000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, stderr };
}

describe("start-up with a dependency nothing answers at", () => {
  it("REDIS_URL: buildGateway().start() fails with a ConfigError naming it, the password masked", async () => {
    const port = await freePort();
    const gateway = buildGateway(
      loadConfig({
        PORT: "0",
        EMULATOR_PORT: "0",
        LOG_LEVEL: "silent",
        REDIS_URL: `redis://:hunter2secret@127.0.0.1:${port}`,
        REDIS_TIMEOUT_MS: "500",
      }),
    );
    const error = await gateway.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    await gateway.stop();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe("REDIS_URL");
    expect((error as Error).message).toMatch(/^REDIS_URL .*cannot be reached: connect ECONNREFUSED/);
    expect((error as Error).message).not.toContain("hunter2secret");
  });

  it("REDIS_URL: main.ts exits 2 with one line naming it, no stack trace and no ioredis noise", async () => {
    const port = await freePort();
    const { code, stderr } = await runMain({ REDIS_URL: `redis://127.0.0.1:${port}`, LOG_LEVEL: "silent" });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^ivs-gateway: REDIS_URL \(redis:\/\/127\.0\.0\.1:\d+\/?\) cannot be reached/);
    expect(stderr).not.toMatch(/Unhandled error event/);
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it("IVS_ENDPOINT: main.ts exits 2 naming it when nothing listens there", async () => {
    const port = await freePort();
    const { code, stderr } = await runMain({
      IVS_ENDPOINT: `http://127.0.0.1:${port}`,
      IVS_ANONYMOUS: "true",
      AUTH_DISABLED: "true",
      LOG_LEVEL: "silent",
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^ivs-gateway: IVS_ENDPOINT \(http:\/\/127\.0\.0\.1:\d+\) cannot be reached: .*ECONNREFUSED/,
    );
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 60_000);
});
