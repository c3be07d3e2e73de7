import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, type Socket } from "node:net";
import { CreateChannelCommand, IvsClient } from "@aws-sdk/client-ivs";
import { createClient } from "graphql-ws";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createEmulator, type Emulator } from "../../emulator/index.ts";
import type { RelayedEntry } from "../../src/live/live-hub.ts";
import { type RunningGateway, startGateway } from "../budget/harness.ts";

/**
 * Graceful drain with real parts: two replicas on a real Redis sharing a standalone emulator that
 * delivers its events to both (as EventBridge would to a load balancer), real sockets, real clients.
 */

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const EVENTS_API_KEY = "drain-test-events-key-0123456789";
const prefix = `test-${randomUUID()}:`;
const redis = new Redis(REDIS_URL);
let emulator: Emulator;
/** The replica that stays: subscribers move to it. */
let survivor: RunningGateway;
const started: RunningGateway[] = [];

const EVENTS = `subscription ($arns: [String!], $last: String) {
  streamEvents(filter: { channelArns: $arns, kinds: [STREAM_HEALTH] }, lastEventId: $last) { ... on IvsEventFields { id eventId } }
}`;
type EventData = { streamEvents: { id: string; eventId: string } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A replica on the shared emulator and Redis prefix, receiving the emulator's events. */
async function replica(env: Record<string, string> = {}): Promise<RunningGateway> {
  const g = await startGateway({
    IVS_ENDPOINT: emulator.url,
    IVS_ANONYMOUS: "true",
    AUTH_DISABLED: "true",
    EVENTS_API_KEY,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    ...env,
  });
  emulator.delivery.addTarget({
    url: `${g.gateway.url}/events`,
    apiKeyHeader: "x-api-key",
    apiKey: EVENTS_API_KEY,
  });
  started.push(g);
  return g;
}

/** What a load balancer does first: no more events (nor anything else) routed to the replica. */
function unroute(g: RunningGateway): void {
  emulator.delivery.removeTarget(`${g.gateway.url}/events`);
}

/**
 * Channels for the tests, made before any replica runs: a replica started right after a channel appears
 * outside the gateway waits (in `mirror.synced()`) for the leader's next snapshot save, which only a later
 * change prompts, so creating them mid-file would make start-up times depend on test order.
 */
const channels: string[] = [];
async function createChannels(n: number): Promise<void> {
  const ivs = new IvsClient({
    region: "us-west-2",
    endpoint: emulator.url,
    credentials: { accessKeyId: "tool", secretAccessKey: "tool" },
  });
  for (let i = 0; i < n; i++) {
    const out = await ivs.send(new CreateChannelCommand({ name: `drain-${i}` }));
    channels.push(out.channel?.arn as string);
  }
  ivs.destroy();
}

/**
 * Every event of the channel the shared log relays, as seen by an in-process subscriber on the survivor
 * that was there from the start: the ground truth of "emitted".
 */
function relayed(arn: string) {
  const ids: string[] = [];
  const iterator = survivor.gateway.live.hub.watchEvents({ channelArns: [arn], kinds: ["STREAM_HEALTH"] });
  let starving = false;
  void (async () => {
    for await (const e of iterator as AsyncIterable<RelayedEntry>) ids.push(e.logId);
  })();
  return {
    ids,
    /** Emits `n` health events (starvation start/end on a live broadcast) and waits until the log relayed them. */
    async emit(n: number) {
      const target = ids.length + n;
      for (let i = 0; i < n; i++) {
        if (starving) emulator.broadcasts.recover(arn);
        else emulator.broadcasts.starve(arn);
        starving = !starving;
      }
      await emulator.delivery.flush();
      await expect.poll(() => ids.length, { timeout: 5000, interval: 10 }).toBeGreaterThanOrEqual(target);
    },
    stop: () => iterator.return?.(),
  };
}

/** A POST over its own connection, with the response's headers (fetch hides `connection`). */
function post(url: string, body: unknown) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", headers: { "content-type": "application/json" }, agent: false },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += String(d);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/** The error code of a fresh TCP connection to `port`, or "connected". */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Reads an SSE response: its raw text, and each message's `id:`, `event:` and `data:`. */
async function openSse(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...headers },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const s = { text: "", ended: false };
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      s.text += decoder.decode(value, { stream: true });
    }
    s.ended = true;
  })();
  const messages = () =>
    s.text
      .split("\n\n")
      .map((block) =>
        Object.fromEntries(
          block.split("\n").map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
        ),
      )
      .filter((m) => m.event === "next")
      .map((m) => ({
        id: m.id as string | undefined,
        data: JSON.parse(m.data as string) as { data: EventData },
      }));
  return {
    get text() {
      return s.text;
    },
    get ended() {
      return s.ended;
    },
    reading,
    messages,
    ids: () => messages().map((m) => m.data.data.streamEvents.id),
    cancel: () => reader.cancel().catch(() => {}),
  };
}

beforeAll(async () => {
  emulator = createEmulator({ port: 0, recordingActivationMs: 0, quotas: { enabled: false } });
  await emulator.start();
  await createChannels(2);
  survivor = await replica();
});

afterEach(() => {
  emulator.setFaults({ latencyMs: 0 });
});

afterAll(async () => {
  for (const g of started.reverse()) await g.stop();
  await emulator?.stop();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe("draining a replica", () => {
  it("moves a graphql-ws subscriber to the other replica with 1001, and it misses no event", async () => {
    const arn = channels[0] as string;
    const truth = relayed(arn);
    emulator.broadcasts.start({ channelArn: arn });
    const draining = await replica();
    const replicas = [draining.gateway.url, survivor.gateway.url].map(
      (u) => `${u.replace("http", "ws")}/graphql`,
    );
    let turn = 0;
    let reconnect = () => {};
    const mayReconnect = new Promise<void>((resolve) => {
      reconnect = resolve;
    });
    const closes: number[] = [];
    const connectedTo: string[] = [];
    const client = createClient({
      // The client's load balancer: each connection attempt goes to the next replica.
      url: () => {
        const next = replicas[turn++ % replicas.length] as string;
        connectedTo.push(next);
        return next;
      },
      webSocketImpl: WebSocket,
      retryAttempts: 5,
      // Held until the test has emitted events into the gap.
      retryWait: () => mayReconnect,
      on: { closed: (event) => void closes.push((event as { code: number }).code) },
    });
    const variables: { arns: string[]; last: string | null } = { arns: [arn], last: null };
    const received: string[] = [];
    const errors: unknown[] = [];
    // graphql-ws sends this same payload again when it reconnects: the id of the last event seen goes with it.
    const dispose = client.subscribe<EventData>(
      { query: EVENTS, variables },
      {
        next: (r) => {
          const id = r.data?.streamEvents.id;
          if (!id) return void errors.push(r.errors);
          received.push(id);
          variables.last = id;
        },
        error: (e) => void errors.push(e),
        complete: () => {},
      },
    );
    try {
      await expect.poll(() => draining.gateway.live.hub.subscriberCounts().events).toBe(1);
      await truth.emit(4);
      await expect.poll(() => received.length).toBe(truth.ids.length);
      const before = received.length;

      unroute(draining);
      const report = await draining.gateway.drain();
      expect(closes).toEqual([1001]);
      expect(report).toMatchObject({ websockets: 1, requestsCut: 0 });
      // Events while the client is away, then it reconnects (to the survivor) and events keep coming.
      await truth.emit(4);
      expect(received).toHaveLength(before);
      reconnect();
      await expect.poll(() => received.length).toBeGreaterThanOrEqual(truth.ids.length);
      await truth.emit(2);
      await expect.poll(() => received.length).toBeGreaterThanOrEqual(truth.ids.length);
      await sleep(200);

      expect(connectedTo).toEqual(replicas);
      expect(errors).toEqual([]);
      expect(truth.ids).toHaveLength(10);
      expect(received).toEqual(truth.ids);
    } finally {
      dispose();
      await client.dispose();
      truth.stop();
      emulator.broadcasts.end(arn);
    }
  });

  it("finishes an in-flight request, refuses new connections and answers /ready 503 while draining", async () => {
    const g = await replica({ DRAIN_TIMEOUT_MS: "5000" });
    const port = Number(new URL(g.gateway.url).port);
    expect((await fetch(`${g.gateway.url}/ready`)).status).toBe(200);
    unroute(g);
    // A load balancer's probe on a connection open before the drain: the request is finished after it began.
    const probe: Socket = connect(port, "127.0.0.1");
    await once(probe, "connect");
    probe.write("GET /ready HTTP/1.1\r\nHost: gateway\r\n");
    let probeText = "";
    probe.on("data", (d) => {
      probeText += String(d);
    });
    // A channel the mirror does not hold is asked of IVS (BatchGetChannel), which takes 1.5 s here.
    emulator.setFaults({ latencyMs: 1500, operations: ["BatchGetChannel"] });
    const missing = `arn:aws:ivs:us-west-2:123456789012:channel/${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const sent = Date.now();
    const slow = post(`${g.gateway.url}/graphql`, {
      query: "query ($arn: String!) { channel(arn: $arn) { arn } }",
      variables: { arn: missing },
    });
    await sleep(300);

    const drained = g.gateway.drain();
    expect(g.gateway.draining).toBe(true);
    expect(await connectOutcome(port)).toBe("ECONNREFUSED");
    probe.write("\r\n");
    await expect.poll(() => probeText, { timeout: 2000 }).toMatch(/\r\n\r\n.*draining/s);
    expect(probeText).toMatch(/^HTTP\/1\.1 503 /);
    expect(probeText.toLowerCase()).toContain("connection: close");
    const health = await slow;
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ data: { channel: null } });
    expect(health.headers.connection).toBe("close");
    expect(Date.now() - sent).toBeGreaterThanOrEqual(1500);
    const report = await drained;
    expect(report.requests).toBeGreaterThanOrEqual(1);
    expect(report).toMatchObject({ requestsCut: 0, websockets: 0, sseStreams: 0 });
    expect(report.requestsFinished).toBe(report.requests);
    expect(report.ms).toBeLessThan(5000);
    expect(g.gateway.draining).toBe(false);
    probe.destroy();
  });

  it("ends SSE streams without `complete`; the subscriber resumes on the other replica with Last-Event-ID", async () => {
    const arn = channels[1] as string;
    const truth = relayed(arn);
    emulator.broadcasts.start({ channelArn: arn });
    const g = await replica();
    const body = { query: EVENTS, variables: { arns: [arn] } };
    const first = await openSse(`${g.gateway.url}/graphql`, body);
    try {
      await expect.poll(() => g.gateway.live.hub.subscriberCounts().events).toBe(1);
      await truth.emit(3);
      await expect.poll(() => first.ids().length).toBe(3);
      // Every message carries the event's log id, as EventSource wants it.
      for (const m of first.messages()) expect(m.id).toBe(m.data.data.streamEvents.id);

      unroute(g);
      const report = await g.gateway.drain();
      expect(report.sseStreams).toBe(1);
      await first.reading;
      expect(first.ended).toBe(true);
      expect(first.text).not.toContain("event: complete");

      await truth.emit(3);
      // What an EventSource does on its own: the same request again, with the last id it saw.
      const lastId = first.messages().at(-1)?.id as string;
      const second = await openSse(`${survivor.gateway.url}/graphql`, body, { "last-event-id": lastId });
      try {
        await expect.poll(() => second.ids().length).toBe(3);
        await truth.emit(1);
        await expect.poll(() => second.ids().length).toBe(4);
        expect([...first.ids(), ...second.ids()]).toEqual(truth.ids);
        expect(truth.ids).toHaveLength(7);
      } finally {
        await second.cancel();
      }
    } finally {
      await first.cancel();
      truth.stop();
      emulator.broadcasts.end(arn);
    }
  });

  it("cuts a request that outlasts DRAIN_TIMEOUT_MS, and resolves in about that time", async () => {
    const g = await replica({ DRAIN_TIMEOUT_MS: "1000" });
    unroute(g);
    emulator.setFaults({ latencyMs: 6000, operations: ["BatchGetChannel"] });
    const missing = `arn:aws:ivs:us-west-2:123456789012:channel/${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const slow = post(`${g.gateway.url}/graphql`, {
      query: "query ($arn: String!) { channel(arn: $arn) { arn } }",
      variables: { arn: missing },
    });
    const outcome = slow.then(
      () => "answered",
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    await sleep(300);
    const t0 = Date.now();
    const report = await g.gateway.drain();
    const elapsed = Date.now() - t0;
    expect(report).toMatchObject({ requests: 1, requestsFinished: 0, requestsCut: 1 });
    expect(report.ms).toBeGreaterThanOrEqual(950);
    expect(report.ms).toBeLessThan(1500);
    expect(elapsed).toBeLessThan(3000);
    expect(await outcome).toBe("ECONNRESET");
  });
});
