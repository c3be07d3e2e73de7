import { IvsClient } from "@aws-sdk/client-ivs";
import { afterAll, beforeAll } from "vitest";
import { createEmulator, type Emulator, type EmulatorOptions } from "../../emulator/index.ts";

export interface Harness {
  emulator: Emulator;
  ivs: IvsClient;
  /** A client with the SDK's default retries, to see what a real caller sees. */
  client(options?: { maxAttempts?: number }): IvsClient;
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/**
 * Starts an emulator on a free port for the file's tests and stops it afterwards. Quotas are off unless
 * asked for: the quota tests turn them on, the rest test behaviour.
 */
export function useEmulator(options: EmulatorOptions = {}): Harness {
  const harness = {} as Harness;
  const clients: IvsClient[] = [];
  beforeAll(async () => {
    const emulator = createEmulator({
      port: 0,
      quotas: { enabled: false },
      recordingActivationMs: 0,
      ...options,
    });
    await emulator.start();
    const client = (o: { maxAttempts?: number } = {}) => {
      const c = new IvsClient({
        region: emulator.region,
        endpoint: emulator.url,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: o.maxAttempts ?? 1,
      });
      clients.push(c);
      return c;
    };
    Object.assign(harness, {
      emulator,
      ivs: client(),
      client,
      async control(method: string, path: string, body?: unknown) {
        const res = await fetch(`${emulator.url}/_emulator${path}`, {
          method,
          headers: body === undefined ? {} : { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: await res.json() };
      },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await harness.emulator?.stop();
  });
  return harness;
}
