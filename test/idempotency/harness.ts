import { randomBytes } from "node:crypto";
import { IvsClient, ListChannelsCommand } from "@aws-sdk/client-ivs";
import { type Client, createClient } from "graphql-ws";
import { afterAll, beforeAll } from "vitest";
import WebSocket from "ws";
import { createEmulator, type Emulator } from "../../emulator/index.ts";
import { hashApiKey } from "../../src/auth/api-keys.ts";
import { loadConfig } from "../../src/config/gateway.ts";
import type { IdempotencyStore } from "../../src/idempotency/store.ts";
import { createLogger } from "../../src/logger.ts";
import { buildGateway, type Gateway } from "../../src/server.ts";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Two callers with the same rights: `alice` and `bob` (principals `api-key:alice`, `api-key:bob`). */
export const KEYS = {
  alice: `alice-${randomBytes(18).toString("base64url")}`,
  bob: `bob-${randomBytes(18).toString("base64url")}`,
};
const AUTH_API_KEYS = JSON.stringify(
  Object.entries(KEYS).map(([id, key]) => ({
    id,
    sha256: hashApiKey(key),
    scope: "ivs:read ivs:write ivs:secrets",
  })),
);

export const CREATE = `mutation Create($name: String!) {
  createChannel(input: { name: $name }) {
    __typename
    ... on CreateChannelPayload { channel { arn name } streamKey { arn } }
    ... on Error { message retriable }
  }
}`;

export interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: { createChannel?: { __typename: string; channel?: { arn: string; name: string } } } | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
}

export interface Replica {
  gateway: Gateway;
  /** POST /graphql as `who`, with an Idempotency-Key header unless `key` is undefined. */
  post(
    query: string,
    variables: Record<string, unknown>,
    options?: {
      key?: string;
      who?: keyof typeof KEYS;
      headers?: Record<string, string>;
      signal?: AbortSignal;
    },
  ): Promise<Answer>;
  /** A graphql-ws client authenticated as `who`. */
  ws(who?: keyof typeof KEYS): Client;
}

/**
 * A standalone emulator (quotas off, so counts are of the gateway's calls only) and the gateways started on
 * it, all stopped after the file; every gateway knows `alice` and `bob` by API key.
 */
export function useIdempotencyRig() {
  const rig = {
    emulator: undefined as unknown as Emulator,
    direct: undefined as unknown as IvsClient,
    replicas: [] as Replica[],
    clients: [] as Client[],
    /** CreateChannel requests the emulator received. */
    creates: () => rig.emulator.counters.get("CreateChannel").total,
    /** Channels of that name in IVS, listed through the SDK. */
    async channelsNamed(name: string): Promise<string[]> {
      const out = await rig.direct.send(new ListChannelsCommand({ filterByName: name }));
      return (out.channels ?? []).filter((c) => c.name === name).map((c) => c.arn as string);
    },
    async replica(env: Record<string, string> = {}, idempotency?: IdempotencyStore): Promise<Replica> {
      const gateway = buildGateway(
        loadConfig({
          PORT: "0",
          SEED_DEMO_DATA: "false",
          LOG_LEVEL: "silent",
          RATE_LIMIT_PER_MINUTE: "0",
          RECONCILE_INTERVAL_MS: "3600000",
          IVS_ENDPOINT: rig.emulator.url,
          IVS_ANONYMOUS: "true",
          AUTH_API_KEYS,
          ...env,
        }),
        {
          logger: createLogger({ level: "silent" }),
          mirrorDelays: { ownWriteGraceMs: 100, sessionEndMs: 50, creatingPollMs: 50 },
          ...(idempotency ? { idempotency } : {}),
        },
      );
      await gateway.start();
      await gateway.mirror.synced();
      const replica: Replica = {
        gateway,
        async post(query, variables, options = {}) {
          const res = await fetch(`${gateway.url}/graphql`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "x-api-key": KEYS[options.who ?? "alice"],
              ...(options.key !== undefined ? { "idempotency-key": options.key } : {}),
              ...options.headers,
            },
            body: JSON.stringify({ query, variables }),
            ...(options.signal ? { signal: options.signal } : {}),
          });
          return { status: res.status, headers: res.headers, body: (await res.json()) as Answer["body"] };
        },
        ws(who = "alice") {
          const client = createClient({
            url: `${gateway.url.replace("http", "ws")}/graphql`,
            webSocketImpl: WebSocket,
            retryAttempts: 0,
            connectionParams: { "x-api-key": KEYS[who] },
          });
          rig.clients.push(client);
          return client;
        },
      };
      rig.replicas.push(replica);
      return replica;
    },
  };
  beforeAll(async () => {
    rig.emulator = createEmulator({ port: 0, recordingActivationMs: 0, quotas: { enabled: false } });
    await rig.emulator.start();
    rig.direct = new IvsClient({
      region: "us-west-2",
      endpoint: rig.emulator.url,
      credentials: { accessKeyId: "tool", secretAccessKey: "tool" },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    for (const c of rig.clients) await c.dispose();
    for (const r of rig.replicas.reverse()) await r.gateway.stop();
    rig.direct?.destroy();
    await rig.emulator?.stop();
  });
  return rig;
}

/** One operation over graphql-ws, with `extensions` in its subscribe message; its single result. */
export function wsRun(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  extensions: Record<string, unknown>,
): Promise<Answer["body"]> {
  return new Promise((resolve, reject) => {
    let result: Answer["body"] | undefined;
    client.subscribe(
      { query, variables, extensions },
      {
        next: (r) => {
          result = r as Answer["body"];
        },
        error: reject,
        complete: () => (result ? resolve(result) : reject(new Error("no result"))),
      },
    );
  });
}

/** A unique key and channel name per test. */
export const fresh = (label: string) => ({
  key: `${label}-${randomBytes(8).toString("hex")}`,
  name: `${label}-${randomBytes(4).toString("hex")}`,
});
