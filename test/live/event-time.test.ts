import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { stateChange } from "./envelopes.ts";
import { collect, useLiveGateway } from "./harness.ts";

const KEY = "test-events-key-event-time-0123";
// Reconciliations happen when the test asks for them, so that what it sees between them is the events' doing.
const h = useLiveGateway({ EVENTS_API_KEY: KEY, RECONCILE_INTERVAL_MS: "600000" });

const LIVE_STATUS = `subscription ($arns: [String!]!) {
  channelLiveStatus(arns: $arns) { channelArn status isLive streamId source version }
}`;
const EVENTS = `subscription ($arns: [String!]) {
  streamEvents(filter: { channelArns: $arns }) { ... on StreamStateEvent { eventId time channelArn eventName streamId } }
}`;
type Status = {
  channelLiveStatus: {
    channelArn: string;
    status: string;
    isLive: boolean;
    streamId: string | null;
    source: string;
  };
};
type Relayed = {
  streamEvents: { eventId: string; time: string; channelArn: string; eventName: string; streamId: string };
};

async function postEvent(channelArn: string, eventName: string, streamId: string, time: string) {
  const id = randomUUID();
  const res = await fetch(`${h.gateway.url}/events`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": KEY },
    body: JSON.stringify(stateChange({ id, channelArn, eventName, streamId, time })),
  });
  expect(res.status).toBe(202);
  expect(await res.json()).toMatchObject({ outcome: "relayed" });
  return id;
}

async function isLive(arn: string): Promise<{ isLive: boolean; stream: { streamId: string } | null }> {
  const res = await fetch(`${h.gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...h.authHeaders },
    body: JSON.stringify({
      query: `query ($arn: String!) { channel(arn: $arn) { isLive stream { streamId } } }`,
      variables: { arn },
    }),
  });
  const body = (await res.json()) as {
    data: { channel: { isLive: boolean; stream: { streamId: string } | null } };
  };
  return body.data.channel;
}

const statusesOf = (items: Status[], arn: string) =>
  items.map((i) => i.channelLiveStatus).filter((s) => s.channelArn === arn);

describe("event times bounded against the receiving clock", () => {
  it("relays far-future and long-past events but lets only real broadcasts and reconciliation move live status", async () => {
    const idle = await h.createChannel("time-idle");
    const busy = await h.createChannel("time-busy");
    const status = collect<Status>(h.wsClient(), LIVE_STATUS, { arns: [idle, busy] });
    await status.until((items) => items.length === 2);
    const broadcast = (await h.control("/broadcasts/start", { channelArn: busy })) as { streamId: string };
    await status.until((items) => statusesOf(items, busy).some((s) => s.status === "LIVE"));

    const events = collect<Relayed>(h.wsClient(), EVENTS, { arns: [idle, busy] });
    // graphql-ws does not acknowledge a subscription: relay an event that moves nothing until one arrives.
    for (let subscribed = false; !subscribed; ) {
      await postEvent(
        idle,
        "Stream Takeover Failure",
        "st-sentinel000000000000000",
        new Date().toISOString(),
      );
      subscribed = await events
        .until((items) => items.length > 0, 500)
        .then(
          () => true,
          () => false,
        );
    }
    const ids = [
      await postEvent(idle, "Stream Start", "st-future00000000000000000", "2999-01-01T00:00:00Z"),
      await postEvent(idle, "Stream Start", "st-lastdate000000000000000", "+275760-09-13T00:00:00Z"),
      await postEvent(busy, "Stream End", broadcast.streamId, "1971-01-01T00:00:00Z"),
    ];
    await events.until((items) => ids.every((id) => items.some((i) => i.streamEvents.eventId === id)));
    const relayed = ids.map((id) => events.items.find((i) => i.streamEvents.eventId === id)?.streamEvents);
    expect(relayed.map((e) => e?.time)).toEqual([
      "2999-01-01T00:00:00.000Z",
      "+275760-09-13T00:00:00.000Z",
      "1971-01-01T00:00:00.000Z",
    ]);

    // Live state took none of them in: the idle channel is not live, the busy one still is.
    expect(await isLive(idle)).toEqual({ isLive: false, stream: null });
    expect(await isLive(busy)).toEqual({ isLive: true, stream: { streamId: broadcast.streamId } });
    // An operator can see them: two dated ahead of their receipt, one long behind.
    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/ivs_events_out_of_window_total\{side="ahead"\} 2\b/);
    expect(metrics).toMatch(/ivs_events_out_of_window_total\{side="behind"\} 1\b/);

    // A real broadcast on the idle channel shows, and its LIVE is the first change subscribers saw of it.
    const real = (await h.control("/broadcasts/start", { channelArn: idle })) as { streamId: string };
    await status.until((items) => statusesOf(items, idle).some((s) => s.status === "LIVE"));
    expect(statusesOf(status.items, idle).map((s) => [s.status, s.streamId])).toEqual([
      ["OFFLINE", null],
      ["LIVE", real.streamId],
    ]);
    expect(statusesOf(status.items, busy).map((s) => s.status)).toEqual(["OFFLINE", "LIVE"]);
    expect(await isLive(idle)).toEqual({ isLive: true, stream: { streamId: real.streamId } });

    // State poisoned directly (as events did before they were bounded) is repaired by one reconciliation.
    await h.control("/broadcasts/end", { channelArn: idle });
    await status.until((items) => statusesOf(items, idle).at(-1)?.status === "OFFLINE");
    const { state } = h.gateway.live.hub;
    const at = Date.parse("2999-01-01T00:00:00Z");
    state.apply({
      kind: "stream",
      channelArn: idle,
      streamId: "st-poisoned000000000000000",
      name: "Stream Start",
      time: at,
    });
    state.apply({
      kind: "stream",
      channelArn: busy,
      streamId: broadcast.streamId,
      name: "Stream End",
      time: at,
    });
    expect(state.get(idle).status).toBe("LIVE");
    expect(state.get(busy).status).toBe("OFFLINE");
    await h.gateway.live.hub.reconcile(true);
    expect(state.get(idle)).toMatchObject({ status: "OFFLINE", source: "RECONCILIATION" });
    expect(state.get(busy)).toMatchObject({
      status: "LIVE",
      streamId: broadcast.streamId,
      source: "RECONCILIATION",
    });
    expect(await isLive(idle)).toEqual({ isLive: false, stream: null });
    expect(await isLive(busy)).toEqual({ isLive: true, stream: { streamId: broadcast.streamId } });

    status.dispose();
    events.dispose();
    await h.control("/broadcasts/end", { channelArn: busy });
  });
});
