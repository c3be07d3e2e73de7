import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

/** p-th percentile (0..100) of numbers, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

export interface GatewayProcess {
  url: string;
  emulatorUrl?: string;
  /** The bearer token a gateway without auth configuration minted (development mode), if it did. */
  devToken?: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** A Prometheus sample of the gateway process, e.g. `process_resident_memory_bytes`. */
  metric(name: string): Promise<number>;
}

/** Starts `npm start` (tsx src/main.ts) in a child process and waits for its URLs. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { ...process.env, LOG_LEVEL: "warn", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stderr?.on("data", () => {});
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${out}`)), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /GraphQL and GraphiQL: (http:\/\/\S+)\/graphql/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
  });
  await new Promise((r) => setTimeout(r, 100));
  const emulatorUrl = /IVS emulator:\s+(http:\/\/\S+)/.exec(out)?.[1];
  const devToken = /Dev token[^:]*:\s+(\S+)/.exec(out)?.[1];
  return {
    url,
    ...(emulatorUrl ? { emulatorUrl } : {}),
    ...(devToken ? { devToken } : {}),
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
    async metric(name) {
      const text = await (await fetch(`${url}/metrics`)).text();
      const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const labels = name.includes("{") ? "" : "(?:\\{[^}]*\\})?";
      const m = new RegExp(`^${escaped}${labels} ([0-9.e+-]+)$`, "m").exec(text);
      return m?.[1] ? Number(m[1]) : Number.NaN;
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
