/**
 * A standalone IVS emulator process for benchmarks (`node --import tsx emulator/main.ts --port 0`, from
 * this checkout), with the control calls the benchmarks use.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { REPO_ROOT } from "./baseline.ts";
import { killOnExit, stopChild } from "./lib.ts";

export interface OperationCounts {
  [operation: string]: { total: number; byStatus: Record<string, number> };
}

export interface EmulatorProcess {
  url: string;
  child: ChildProcess;
  /** The flags it was started with, for the report. */
  flags: string[];
  /** One control call (`/_emulator/<path>`); throws on a non-2xx answer. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Per-operation request counts since the last reset. */
  requests(): Promise<OperationCounts>;
  /** Resets the request counters and the rate buckets (real quotas on). */
  resetCounters(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the emulator with real quotas (scale 1) on any free port and waits for the URL it prints. */
export async function startEmulatorProcess(extraFlags: string[] = []): Promise<EmulatorProcess> {
  const flags = ["--port", "0", "--quotas", "true", "--quota-scale", "1", "--seed", "1", ...extraFlags];
  const child = spawn(process.execPath, ["--import", "tsx", "emulator/main.ts", ...flags], {
    cwd: REPO_ROOT,
    // Its own variables win over flags only when flags are absent; clear the ones a shell may carry.
    env: { ...process.env, IVS_EMULATOR_STATE_FILE: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  killOnExit(child);
  let out = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${out}`)), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-4000);
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}: ${out}`));
    });
  });
  child.stdout?.resume();
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/_emulator${path}`, {
      method,
      signal: AbortSignal.timeout(30_000),
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    url,
    child,
    flags,
    control,
    async requests() {
      return (await control<{ operations: OperationCounts }>("GET", "/requests")).operations;
    },
    async resetCounters() {
      await control("DELETE", "/requests");
      // PUT /quotas resets every token bucket; the same real quotas stay on.
      await control("PUT", "/quotas", { enabled: true, scale: 1 });
    },
    stop: () => stopChild(child),
  };
}
