import { describe, expect, it } from "vitest";
import { collect, useLiveGateway } from "./harness.ts";

const KEY = "test-events-key-0123456789";
const h = useLiveGateway({ EVENTS_API_KEY: KEY });

const LIVE_STATUS = `subscription ($arns: [String!]!) {
  channelLiveStatus(arns: $arns) { channelArn status isLive streamId health source version deleted }
}`;
type Status = {
  channelLiveStatus: {
    channelArn: string;
    status: string;
    streamId: string | null;
    health: string | null;
    deleted: boolean;
    source: string;
  };
};

describe("channelLiveStatus over graphql-ws", () => {
  it("sends the current status, then LIVE when a broadcast starts and OFFLINE when it ends", async () => {
    const arn = await h.createChannel("ws-live");
    const sub = collect<Status>(h.wsClient(), LIVE_STATUS, { arns: [arn] });
    await sub.until((items) => items.length === 1);
    expect(sub.items[0]?.channelLiveStatus).toMatchObject({
      channelArn: arn,
      status: "OFFLINE",
      deleted: false,
    });

    const started = (await h.control("/broadcasts/start", { channelArn: arn })) as { streamId: string };
    await sub.until((items) => items.some((i) => i.channelLiveStatus.status === "LIVE"));
    expect(sub.items.at(-1)?.channelLiveStatus).toMatchObject({
      status: "LIVE",
      streamId: started.streamId,
      source: "EVENT",
    });

    await h.control("/broadcasts/starve", { channelArn: arn });
    await sub.until((items) => items.at(-1)?.channelLiveStatus.health === "STARVING");

    await h.control("/broadcasts/end", { channelArn: arn });
    await sub.until((items) => items.at(-1)?.channelLiveStatus.status === "OFFLINE");
    sub.dispose();
  });

  it("completes when the watched channel is deleted", async () => {
    const arn = await h.createChannel("ws-deleted");
    const sub = collect<Status>(h.wsClient(), LIVE_STATUS, { arns: [arn] });
    await sub.until((items) => items.length === 1);
    const res = await fetch(`${h.gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...h.authHeaders },
      body: JSON.stringify({
        query: `mutation ($arn: String!) { deleteChannel(input: { arn: $arn }) { __typename } }`,
        variables: { arn },
      }),
    });
    expect(JSON.stringify(await res.json())).toContain("DeleteChannelPayload");
    await sub.until((items) => items.at(-1)?.channelLiveStatus.deleted === true);
    await expect.poll(() => sub.done).toBe(true);
  });

  it("rejects unknown channels and bad ARNs with an error, not a silent stream", async () => {
    const missing = "arn:aws:ivs:us-west-2:123456789012:channel/doesNotExist";
    const sub = collect<Status>(h.wsClient(), LIVE_STATUS, { arns: [missing] });
    await expect.poll(() => sub.done).toBe(true);
    expect(JSON.stringify(sub.errors)).toContain("No such channel");
    const bad = collect<Status>(h.wsClient(), LIVE_STATUS, { arns: ["not-an-arn"] });
    await expect.poll(() => bad.done).toBe(true);
    expect(JSON.stringify(bad.errors)).toContain("not a channel ARN");
  });
});

describe("streamEvents over graphql-ws", () => {
  const EVENTS = `subscription ($filter: StreamEventsFilter, $last: String) {
    streamEvents(filter: $filter, lastEventId: $last) {
      __typename
      ... on IvsEventFields { id eventId channelArn }
      ... on StreamStateEvent { eventName streamId }
      ... on StreamHealthEvent { eventName }
      ... on LimitBreachEvent { limitName limitValue exceededBy limitUnit }
    }
  }`;
  type Ev = {
    streamEvents: {
      __typename: string;
      id: string;
      channelArn: string;
      eventName?: string;
      limitName?: string;
    };
  };

  it("relays typed events filtered by channel and kind", async () => {
    const arn = await h.createChannel("ws-events");
    const other = await h.createChannel("ws-events-other");
    const all = collect<Ev>(h.wsClient(), EVENTS, { filter: { channelArns: [arn] } });
    const health = collect<Ev>(h.wsClient(), EVENTS, {
      filter: { channelArns: [arn], kinds: ["STREAM_HEALTH"] },
    });
    await new Promise((r) => setTimeout(r, 100));
    await h.control("/broadcasts/start", { channelArn: other });
    await h.control("/broadcasts/start", { channelArn: arn });
    await h.control("/broadcasts/starve", { channelArn: arn });
    await h.control("/broadcasts/breach", { channelArn: arn, limit: "bitrate" });
    await all.until((items) => items.some((i) => i.streamEvents.__typename === "LimitBreachEvent"));
    const names = all.items.map((i) => i.streamEvents.eventName ?? i.streamEvents.limitName);
    expect(names.slice(0, 3)).toEqual(["Session Created", "Stream Start", "Starvation Start"]);
    expect(all.items.every((i) => i.streamEvents.channelArn === arn)).toBe(true);
    await health.until((items) => items.length >= 1);
    expect(health.items.map((i) => i.streamEvents.__typename)).toEqual(["StreamHealthEvent"]);
    all.dispose();
    health.dispose();
    await h.control("/broadcasts/end", { channelArn: other });
  });
});

describe("channelLiveStatus over SSE", () => {
  it("streams the status and its changes as server-sent events", async () => {
    const arn = await h.createChannel("sse-live");
    const res = await fetch(`${h.gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...h.authHeaders },
      body: JSON.stringify({ query: LIVE_STATUS, variables: { arns: [arn] } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const statuses = () =>
      [...text.matchAll(/^data: (.+)$/gm)].map(
        (m) => (JSON.parse(m[1] as string) as { data: Status }).data.channelLiveStatus.status,
      );
    const readUntil = async (predicate: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!predicate() && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(() => statuses().length >= 1);
    await h.control("/broadcasts/start", { channelArn: arn });
    await readUntil(() => statuses().includes("LIVE"));
    expect(statuses()).toEqual(["OFFLINE", "LIVE"]);
    await reader.cancel();
    await h.control("/broadcasts/end", { channelArn: arn });
  });
});

describe("POST /events", () => {
  it("rejects a missing or wrong key, malformed or oversized bodies, and counts what it does not relay", async () => {
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${h.gateway.url}/events`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
    expect((await post("{}", {})).status).toBe(401);
    expect((await post("{}", { "x-api-key": "wrong-key-of-some-length" })).status).toBe(401);
    const bad = await post('{"id":"x"}', { "x-api-key": KEY });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("detail-type");
    expect((await post("{not json", { "x-api-key": KEY })).status).toBe(400);
    expect((await post(JSON.stringify({ pad: "x".repeat(300_000) }), { "x-api-key": KEY })).status).toBe(413);
    const wrongType = await fetch(`${h.gateway.url}/events`, {
      method: "POST",
      headers: { "x-api-key": KEY, "content-type": "text/plain" },
      body: "{}",
    });
    expect(wrongType.status).toBe(415);
    const unknown = await post(
      JSON.stringify({
        version: "0",
        id: "u-1",
        "detail-type": "IVS Future Thing",
        source: "aws.ivs",
        account: "123456789012",
        time: "2026-01-01T00:00:00Z",
        region: "us-west-2",
        resources: [],
        detail: {},
      }),
      { "x-api-key": KEY },
    );
    expect(unknown.status).toBe(202);
    expect(await unknown.json()).toMatchObject({ outcome: "ignored" });
    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/subscribers\{kind="websocket"\} \d+/);
    expect(metrics).toMatch(/ivs_events_ingested_total\{outcome="ignored"\} 1/);
    expect(metrics).toMatch(/ivs_events_ingested_total\{outcome="malformed"\} 1/);
    expect(metrics).toMatch(/ivs_events_ingested_total\{outcome="unauthorized"\} 2/);
    expect(metrics).toMatch(/ivs_events_ingested_total\{outcome="too_large"\} 1/);
  });
});
