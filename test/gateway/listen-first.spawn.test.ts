import { spawn } from "node:child_process";
import { connect, createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/gateway.ts";
import { ConfigError } from "../../src/config/primitives.ts";
import { buildGateway } from "../../src/server.ts";
import { GATEWAY_PROGRAM } from "../support/programs.ts";

/**
 * A busy PORT (finding 10 of issue 11) used to fail only at the end of start-up, after the emulator, the IVS
 * checks and the mirror's crawl. The gateway now listens first: the start fails before starting anything,
 * with a message that names PORT; and while the rest starts, /health answers and /graphql and /events say
 * 503 with Retry-After.
 */

let blocker: Server;
let port: number;

beforeAll(async () => {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  port = (blocker.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => blocker.close(resolve));
});

/** A port free now (the OS's pick), for an emulator that must not be left listening on it. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const free = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return free;
}

/** Whether something accepts connections on the port. */
function listening(on: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: on });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("a PORT another process holds", () => {
  it("fails the start with a message naming PORT, before the emulator starts", async () => {
    const emulatorPort = await freePort();
    const gateway = buildGateway(
      loadConfig({ PORT: String(port), EMULATOR_PORT: String(emulatorPort), LOG_LEVEL: "silent" }),
    );
    const failure = await gateway.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).variable).toBe("PORT");
    expect((failure as Error).message).toBe(
      `PORT ${port} is in use (EADDRINUSE) on 127.0.0.1; set PORT to another port or stop what holds it`,
    );
    expect(failure).toMatchObject({ code: "EADDRINUSE" });
    // Nothing was started, so nothing is left: no emulator, no demo data, no listener of ours.
    expect(gateway.emulatorUrl).toBeUndefined();
    expect(gateway.demo).toBeUndefined();
    expect(await listening(emulatorPort)).toBe(false);
    expect(() => gateway.url).toThrow(/not started/);
  });

  it("npm start exits with that message and the configuration-error status", async () => {
    const emulatorPort = await freePort();
    // A clean environment: variables of the machine running the tests must not change the outcome.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !/^(AWS_|IVS_|PORT$|HOST$|LOG_LEVEL$|SEED_|EMULATOR_|REDIS_)/.test(k),
      ),
    );
    const child = spawn(process.execPath, [...GATEWAY_PROGRAM], {
      env: { ...inherited, PORT: String(port), EMULATOR_PORT: String(emulatorPort), LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr).toContain(`ivs-gateway: PORT ${port} is in use (EADDRINUSE) on 127.0.0.1`);
    expect(await listening(emulatorPort)).toBe(false);
  });
});

describe("while the rest of the gateway starts", () => {
  it("answers /health, and 503 with Retry-After on /graphql, /events and /ready", async () => {
    const gatewayPort = await freePort();
    const gateway = buildGateway(
      loadConfig({
        PORT: String(gatewayPort),
        EMULATOR_PORT: "0",
        LOG_LEVEL: "silent",
      }),
      // Slow demo seeding holds the start open long enough to look at it.
      { emulator: { faults: { latencyMs: 300, operations: ["CreateChannel"] } } },
    );
    const started = gateway.start();
    try {
      const base = `http://127.0.0.1:${gatewayPort}`;
      while (!(await listening(gatewayPort))) await new Promise((r) => setTimeout(r, 10));
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ready: false, reason: "starting" });
      for (const path of ["/graphql", "/events"]) {
        const res = await fetch(`${base}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: "{ __typename }" }),
        });
        expect(res.status, path).toBe(503);
        expect(res.headers.get("retry-after"), path).toMatch(/^\d+$/);
        expect(await res.json(), path).toEqual({ error: "the gateway is starting; retry shortly" });
      }
      await started;
      expect(gateway.url).toBe(base);
      const res = await fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${gateway.devToken}` },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(await res.json()).toEqual({ data: { __typename: "Query" } });
    } finally {
      await started.catch(() => {});
      await gateway.stop();
    }
  });
});
