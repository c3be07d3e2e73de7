import { CreateChannelCommand } from "@aws-sdk/client-ivs";
import { type Client, createClient } from "graphql-ws";
import { afterAll, beforeAll } from "vitest";
import WebSocket from "ws";
import type { EmulatorOptions } from "../../emulator/index.ts";
import { loadConfig } from "../../src/config/gateway.ts";
import { createLogger } from "../../src/logger.ts";
import { buildGateway, type Gateway } from "../../src/server.ts";

export interface LiveHarness {
  gateway: Gateway;
  /** Headers carrying the development token the gateway minted (it runs without auth configuration). */
  authHeaders: Record<string, string>;
  /** A graphql-ws client over a real socket, sending the development token; closed after the file's tests. */
  wsClient(): Client;
  createChannel(name: string): Promise<string>;
  control(path: string, body?: unknown, method?: string): Promise<unknown>;
}

/** A real gateway process (HTTP + WebSocket) on a free port, with its embedded emulator. */
export function useLiveGateway(
  env: Record<string, string> = {},
  emulator: Partial<EmulatorOptions> = {},
): LiveHarness {
  const h = {} as LiveHarness;
  const clients: Client[] = [];
  beforeAll(async () => {
    const config = loadConfig({ PORT: "0", SEED_DEMO_DATA: "false", LOG_LEVEL: "silent", ...env });
    const gateway = buildGateway(config, {
      logger: createLogger({ level: "silent" }),
      emulator: {
        quotas: { enabled: false },
        recordingActivationMs: 0,
        broadcasts: { recordingEndDelayScale: 0 },
        ...emulator,
      } as Partial<EmulatorOptions>,
    });
    await gateway.start();
    const authorization = `Bearer ${gateway.devToken}`;
    Object.assign(h, {
      gateway,
      authHeaders: { authorization },
      wsClient() {
        const client = createClient({
          url: `${gateway.url.replace("http", "ws")}/graphql`,
          connectionParams: { authorization },
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          lazy: false,
        });
        clients.push(client);
        return client;
      },
      async createChannel(name: string) {
        const out = await gateway.ivs.send(new CreateChannelCommand({ name }));
        return out.channel?.arn as string;
      },
      async control(path: string, body?: unknown, method = "POST") {
        const res = await fetch(`${gateway.emulatorUrl}/_emulator${path}`, {
          method,
          headers: { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const json = await res.json();
        if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
        return json;
      },
    });
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await h.gateway?.stop();
  });
  return h;
}

/** Collects a subscription's results into an array and resolves waiters as they arrive. */
export function collect<T>(client: Client, query: string, variables: Record<string, unknown>) {
  const items: T[] = [];
  const errors: unknown[] = [];
  let done = false;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (r) => {
        if (r.errors) errors.push(...r.errors);
        if (r.data) items.push(r.data as T);
        wake();
      },
      error: (e) => {
        errors.push(e);
        done = true;
        wake();
      },
      complete: () => {
        done = true;
        wake();
      },
    },
  );
  return {
    items,
    errors,
    get done() {
      return done;
    },
    dispose,
    /** Resolves once `predicate` holds over what arrived, or rejects after `ms`. */
    async until(predicate: (items: T[]) => boolean, ms = 5000): Promise<T[]> {
      const deadline = Date.now() + ms;
      while (!predicate(items)) {
        if (done) throw new Error(`subscription ended: ${JSON.stringify(errors)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(items)} ${JSON.stringify(errors)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, left);
        });
      }
      return items;
    },
  };
}
