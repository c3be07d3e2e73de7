import { CreateChannelCommand, IvsClient } from "@aws-sdk/client-ivs";
import { RequestCache } from "@pothos/plugin-scope-auth";
import type { Plugin } from "graphql-yoga";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../emulator/index.ts";
import { createGatewayApp, type GatewayYoga } from "../../src/app.ts";
import type { GatewayContext } from "../../src/context.ts";
import { memoryEventLog } from "../../src/live/event-log.ts";
import { LiveHub } from "../../src/live/live-hub.ts";
import type { SnapshotStream } from "../../src/live/live-state.ts";
import { Mirror } from "../../src/mirror/mirror.ts";
import { builder } from "../../src/schema/builder.ts";
import { TEST_AUTH_HEADERS, TEST_SECURITY } from "../gateway/test-auth.ts";

/**
 * A subscription's context serves all of its events; Pothos scope-auth's cache on it, keyed by each
 * event's parent and the scope map made for it, grew by one entry per event for the subscription's
 * life (the soak's heap growth). It must hold no more than the event being executed.
 */
let emulator: Emulator;
let ivs: IvsClient;
let hub: LiveHub;
let yoga: GatewayYoga;
let arn: string;
let clock = Date.now();
let streams: SnapshotStream[] = [];
const contexts: GatewayContext[] = [];

beforeAll(async () => {
  emulator = createEmulator({ port: 0, quotas: { enabled: false } });
  await emulator.start();
  ivs = new IvsClient({
    region: emulator.region,
    endpoint: emulator.url,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  arn = (await ivs.send(new CreateChannelCommand({ name: "scope-cache" }))).channel?.arn as string;
  hub = new LiveHub({
    log: memoryEventLog(),
    listLiveStreams: async () => streams,
    reconcileIntervalMs: 3600_000,
    now: () => clock,
  });
  await hub.start();
  // Holds on to each operation's context, to look at what scope-auth keeps on it.
  const capture: Plugin = {
    onSubscribe({ args }) {
      contexts.push(args.contextValue as unknown as GatewayContext);
    },
  };
  yoga = createGatewayApp({
    ivs,
    live: hub,
    mirror: new Mirror({ ivs }),
    security: TEST_SECURITY,
    plugins: [capture],
  });
});

afterAll(async () => {
  await hub?.stop();
  ivs?.destroy();
  await emulator?.stop();
});

/** The SSE stream's `next` payloads, as they arrive. */
async function* nexts(res: Response): AsyncGenerator<{ data?: unknown; errors?: unknown[] }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    let end = buffered.indexOf("\n\n");
    while (end >= 0) {
      const message = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = /^data: (.*)$/m.exec(message)?.[1];
      if (/^event: next$/m.test(message) && data) yield JSON.parse(data);
      end = buffered.indexOf("\n\n");
    }
  }
}

const cached = (ctx: GatewayContext) => {
  const cache = RequestCache.fromContext(ctx, builder);
  let typed = 0;
  for (const byParent of cache.typeCache.values()) typed += byParent.size;
  return { maps: cache.mapCache.size, typed };
};

describe("scope-auth's cache on a subscription's context", () => {
  it("is released after each event, not kept for every event the subscription delivered", async () => {
    const controller = new AbortController();
    const res = await yoga.fetch("http://gateway/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...TEST_AUTH_HEADERS },
      body: JSON.stringify({
        query: `subscription ($a: [String!]!) { channelLiveStatus(arns: $a) { channelArn status version } }`,
        variables: { a: [arn] },
      }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const events = nexts(res);
    const first = await events.next();
    expect(first.value).toMatchObject({
      data: { channelLiveStatus: { channelArn: arn, status: "OFFLINE" } },
    });
    const ctx = contexts.at(-1) as GatewayContext;

    // 60 changes, each from a reconciliation: live, offline, live with a new stream, …
    const n = 60;
    for (let i = 1; i <= n; i++) {
      clock += 5000;
      streams = i % 2 ? [{ channelArn: arn, streamId: `st-${i}`, viewerCount: i }] : [];
      await hub.reconcile(true);
      const got = await events.next();
      expect(got.value?.errors).toBeUndefined();
      expect(got.value?.data).toMatchObject({
        channelLiveStatus: { status: i % 2 ? "LIVE" : "OFFLINE", version: i },
      });
    }
    // Without the release: one scope map and one parent per event (60 each).
    const held = cached(ctx);
    expect(held.maps).toBeLessThanOrEqual(2);
    expect(held.typed).toBeLessThanOrEqual(2);
    controller.abort();
    await events.return(undefined);
  });
});
