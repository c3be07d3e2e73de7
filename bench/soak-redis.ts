/**
 * A Redis server of the soak's own (never the system one on 6379): no persistence, so a restart comes back
 * empty, as a cache node replaced after a crash does. `crash()` kills it with SIGKILL; `start()` brings it
 * back on the same port.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createConnection } from "node:net";
import { killOnExit, sleep, stopChild } from "./lib.ts";

export interface SoakRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  /** SIGKILL, as a crash: no shutdown, connections reset. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

const BINARY = process.env.BENCH_REDIS_SERVER || "/usr/bin/redis-server";

/** True once something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export function soakRedis(port: number): SoakRedis {
  let child: ChildProcess | undefined;
  let err = "";
  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    err = "";
    const c = spawn(
      BINARY,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    c.stderr?.on("data", (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-2000);
    });
    killOnExit(c);
    child = c;
    for (let i = 0; i < 250; i++) {
      if (c.exitCode !== null) throw new Error(`redis-server exited with ${c.exitCode}: ${err}`);
      if (await listening(port)) return;
      await sleep(20);
    }
    throw new Error(`redis-server did not listen on ${port} within 5 s: ${err}`);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async crash() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = once(c, "exit");
      c.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child) await stopChild(child, 3000);
    },
  };
}
