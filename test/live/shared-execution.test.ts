import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { until, useSecureGateway } from "../security/harness.ts";

/**
 * Subscribers of the same operation, variables and principal share one stream (one hub subscription,
 * one execution per event); any difference in who asks gives each its own, checked event by event.
 */
const h = useSecureGateway();

const EVENTS = `subscription ($filter: StreamEventsFilter) { streamEvents(filter: $filter) {
  ... on IvsEventFields { eventId channelArn } ... on StreamStateEvent { eventName } } }`;

let own = "";
let foreign = "";
let full: Record<string, string> = {};
let acme: Record<string, string> = {};

beforeAll(async () => {
  own = await h.channel("shared-acme", "acme");
  foreign = await h.channel("shared-globex", "globex");
  full = h.bearer(await h.mint({ sub: "alice" }));
  acme = h.bearer(await h.mint({ scope: "ivs:read", tenant: "acme", sub: "acme-user" }));
});

const hubSubscriptions = () => h.gateway.live.hub.subscriberCounts().events;

/** `subscribers{kind="events"}` on /metrics: subscribers, however many streams they share. */
async function eventSubscribersGauge(): Promise<number> {
  const text = await (await fetch(`${h.gateway.url}/metrics`)).text();
  return Number(/^subscribers\{kind="events"\} (\S+)$/m.exec(text)?.[1]);
}

/** A subscription's results (as sent), its errors, and whether it ended. */
function watch(client: Client, variables: Record<string, unknown> = {}) {
  const results: string[] = [];
  const errors: unknown[] = [];
  let ended = false;
  const dispose = client.subscribe(
    { query: EVENTS, variables },
    {
      next: (r) => void results.push(JSON.stringify(r)),
      error: (e) => {
        errors.push(e);
        ended = true;
      },
      complete: () => {
        ended = true;
      },
    },
  );
  return {
    results,
    errors,
    ids: () => results.map((r) => JSON.parse(r).data?.streamEvents?.eventId as string),
    get ended() {
      return ended;
    },
    dispose,
  };
}

/**
 * A bare graphql-transport-ws socket: the `next` frames of subscription "s" exactly as they arrive, and
 * the frame that ended it.
 */
const rawSockets: WebSocket[] = [];
afterAll(() => {
  for (const socket of rawSockets) socket.terminate();
});
async function rawWatch(headers: Record<string, string>, query: string, variables: Record<string, unknown>) {
  const socket = new WebSocket(`${h.gateway.url.replace("http", "ws")}/graphql`, "graphql-transport-ws");
  rawSockets.push(socket);
  const frames: string[] = [];
  let end: string | undefined;
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.on("message", (data) => {
      const text = String(data);
      const message = JSON.parse(text) as { type: string };
      if (message.type === "connection_ack") {
        socket.send(JSON.stringify({ id: "s", type: "subscribe", payload: { query, variables } }));
        resolve();
      } else if (message.type === "next") frames.push(text);
      else end = text;
    });
    socket.once("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: headers })));
  });
  return {
    frames,
    get end() {
      return end;
    },
    complete: () => socket.send(JSON.stringify({ id: "s", type: "complete" })),
  };
}

async function broadcast(arn: string): Promise<void> {
  await h.control("/broadcasts/start", { channelArn: arn });
  await h.control("/broadcasts/end", { channelArn: arn });
  await h.delivered();
}

describe("shared subscription execution", () => {
  it("gives two subscribers of the same operation the same events from one execution", async () => {
    await expect.poll(hubSubscriptions).toBe(0);
    const a = watch(h.ws(full).client, { filter: { channelArns: [own] } });
    const b = watch(h.ws(full).client, { filter: { channelArns: [own] } });
    await expect.poll(hubSubscriptions).toBe(1);
    // Both started (each start checked on its own), yet only one reads the hub.
    await new Promise((r) => setTimeout(r, 300));
    expect(hubSubscriptions()).toBe(1);
    expect(await eventSubscribersGauge()).toBe(2);

    await broadcast(own);
    await until(() => a.results.length >= 2 && b.results.length >= 2, 8000);
    await new Promise((r) => setTimeout(r, 200));
    expect(a.ids()).toEqual(b.ids());
    expect(a.results).toEqual(b.results);
    expect(a.errors).toEqual([]);

    // Unsubscribing one leaves the other streaming, still on the one hub subscription.
    a.dispose();
    const seen = b.results.length;
    await broadcast(own);
    await until(() => b.results.length >= seen + 2, 8000);
    expect(b.ended).toBe(false);
    expect(hubSubscriptions()).toBe(1);
    expect(await eventSubscribersGauge()).toBe(1);
    b.dispose();
    await expect.poll(hubSubscriptions).toBe(0);
  });

  it("writes a shared stream's results byte for byte as graphql-ws sends an unshared one's", async () => {
    await expect.poll(hubSubscriptions).toBe(0);
    const variables = { filter: { channelArns: [own] } };
    // A directive on the field gives it a stream of its own, sent by graphql-ws itself.
    const unsharedQuery = EVENTS.replace(
      "streamEvents(filter: $filter)",
      "streamEvents(filter: $filter) @include(if: true)",
    );
    const one = await rawWatch(full, EVENTS, variables);
    const two = await rawWatch(full, EVENTS, variables);
    const alone = await rawWatch(full, unsharedQuery, variables);
    await expect.poll(hubSubscriptions).toBe(2);
    await broadcast(own);
    await until(() => one.frames.length >= 2 && two.frames.length >= 2 && alone.frames.length >= 2, 8000);
    await new Promise((r) => setTimeout(r, 200));
    expect(one.frames.length).toBeGreaterThanOrEqual(2);
    expect(one.frames).toEqual(alone.frames);
    expect(two.frames).toEqual(alone.frames);
    expect(one.frames[0]).toMatch(
      /^\{"id":"s","type":"next","payload":\{"data":\{"streamEvents":\{"eventId":/,
    );
    // Completing one shared subscriber ends it alone, with no further frame; the other goes on.
    one.complete();
    await expect.poll(() => h.gateway.live.hub.subscriberCounts().events).toBe(2);
    const before = one.frames.length;
    await broadcast(own);
    await until(() => two.frames.length >= before + 2, 8000);
    expect(one.frames.length).toBe(before);
    expect(one.end).toBeUndefined();
    two.complete();
    alone.complete();
    await expect.poll(hubSubscriptions).toBe(0);
  });

  it("does not share between a tenant and a full token: each gets exactly what it may see", async () => {
    await expect.poll(hubSubscriptions).toBe(0);
    const tenant = watch(h.ws(acme).client);
    const admin = watch(h.ws(full).client);
    await expect.poll(hubSubscriptions).toBe(2);

    await broadcast(foreign);
    await broadcast(own);
    await until(() => tenant.results.some((r) => r.includes(own)), 8000);
    await until(() => admin.results.some((r) => r.includes(own)), 8000);
    await h.delivered();
    await new Promise((r) => setTimeout(r, 200));
    expect(tenant.results.join("\n")).not.toContain(foreign);
    expect(admin.results.some((r) => r.includes(foreign))).toBe(true);
    expect(tenant.results.filter((r) => r.includes('"errors"'))).toEqual([]);
    tenant.dispose();
    admin.dispose();
    await expect.poll(hubSubscriptions).toBe(0);
  });

  it("does not share between two tokens of one user that expire at different times", async () => {
    await expect.poll(hubSubscriptions).toBe(0);
    const short = h.ws(h.bearer(await h.mint({ sub: "alice", exp: Math.floor(Date.now() / 1000) + 3 })));
    const lasting = watch(h.ws(full).client, { filter: { channelArns: [own] } });
    const expiring = watch(short.client, { filter: { channelArns: [own] } });
    await expect.poll(hubSubscriptions).toBe(2);
    // The expiring one is cut when its token expires; the other keeps its stream.
    await until(() => expiring.ended || short.closed.length > 0, 6000);
    const seen = lasting.results.length;
    await broadcast(own);
    await until(() => lasting.results.length >= seen + 2, 8000);
    expect(expiring.results).toEqual([]);
    expect(lasting.ended).toBe(false);
    lasting.dispose();
    await expect.poll(hubSubscriptions).toBe(0);
  });

  it("keeps one subscriber's refusal to itself", async () => {
    await expect.poll(hubSubscriptions).toBe(0);
    const client = h.ws(acme).client;
    const good = watch(client, { filter: { channelArns: [own] } });
    const twin = watch(h.ws(acme).client, { filter: { channelArns: [own] } });
    await expect.poll(hubSubscriptions).toBe(1);
    // The same principal, another tenant's channel: refused at its start, the shared stream untouched.
    const refused = watch(client, { filter: { channelArns: [foreign] } });
    await until(() => refused.ended, 5000);
    expect(JSON.stringify([refused.results, refused.errors])).toContain(`No such channel: ${foreign}`);
    await broadcast(own);
    await until(() => good.results.length >= 2 && twin.results.length >= 2, 8000);
    expect(good.results.join("\n")).not.toContain("errors");
    expect(good.results).toEqual(twin.results);
    expect(good.ended || twin.ended).toBe(false);
    good.dispose();
    twin.dispose();
    await expect.poll(hubSubscriptions).toBe(0);
  });
});
