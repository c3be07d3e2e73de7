import { CreateChannelCommand, CreateRecordingConfigurationCommand } from "@aws-sdk/client-ivs";
import { afterEach, describe, expect, it } from "vitest";
import { DETAIL_TYPES } from "../../emulator/events/bus.ts";
import { CLOUDTRAIL_DETAIL_TYPE } from "../../emulator/events/cloudtrail.ts";
import type { IvsEvent } from "../../emulator/index.ts";
import { type EventSink, type Responder, startEventSink } from "./event-sink.ts";
import { ACCOUNT, REGION } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

const logs: string[] = [];
const h = useEmulator({
  broadcasts: { recordingEndDelayScale: 0 },
  events: { retry: { baseDelayMs: 5 }, log: (m) => logs.push(m) },
});
const sinks: EventSink[] = [];

async function sink(respond?: Responder, extra: { apiKey?: string; apiKeyHeader?: string } = {}) {
  const s = await startEventSink(respond);
  sinks.push(s);
  const res = await h.control("POST", "/event-targets", { url: s.url, ...extra });
  expect(res.status).toBe(200);
  return s;
}

afterEach(async () => {
  await h.control("DELETE", "/event-targets");
  await h.control("PUT", "/event-faults", {
    dropRate: 0,
    duplicateRate: 0,
    delayMs: 0,
    reorderRate: 0,
    reorderWindowMs: 1000,
    seed: null,
  });
  await h.control("PUT", "/event-retry", { attempts: 8, baseDelayMs: 5, timeoutMs: 5000 });
  for (const s of sinks.splice(0)) await s.close();
});

const channelArn = "arn:aws:ivs:us-west-2:123456789012:channel/deliveryTest1";

/** CloudTrail events apart from IVS's own. */
const partition = (events: IvsEvent[]) => {
  const trail = events.filter((e) => e["detail-type"] === CLOUDTRAIL_DETAIL_TYPE);
  return [trail, events.filter((e) => !trail.includes(e))] as const;
};

/** N health events straight onto the bus; each carries its index so arrival order can be compared. */
function emit(n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) =>
      h.emulator.bus.emit(DETAIL_TYPES.streamHealth, [channelArn], {
        event_name: i % 2 ? "Starvation End" : "Starvation Start",
        channel_name: "",
        stream_id: `st-${String(i).padStart(23, "0")}`,
      }).id,
  );
}

describe("delivery to an HTTP target", () => {
  it("POSTs each event of a recorded broadcast once, in order, in the EventBridge envelope, with the API key", async () => {
    const s = await sink(undefined, { apiKeyHeader: "x-ivs-webhook-key", apiKey: "s3cret" });
    const { recordingConfiguration: rc } = await h.ivs.send(
      new CreateRecordingConfigurationCommand({ destinationConfiguration: { s3: { bucketName: "vods" } } }),
    );
    const { channel } = await h.ivs.send(
      new CreateChannelCommand({ name: "show", recordingConfigurationArn: rc?.arn }),
    );
    const arn = channel?.arn as string;
    const started = h.emulator.broadcasts.start({ channelArn: arn });
    h.emulator.broadcasts.end(arn);
    await h.emulator.delivery.idle();

    // The two writes' CloudTrail events come first; this test is about the broadcast's IVS events.
    const [trail, got] = partition(s.delivered());
    expect(trail.map((e) => e.detail.eventName)).toEqual(["CreateRecordingConfiguration", "CreateChannel"]);
    const requests = s.requests.filter((r) => r.event["detail-type"] !== CLOUDTRAIL_DETAIL_TYPE);
    expect(got.map((e) => e.detail.event_name ?? e.detail.recording_status)).toEqual([
      "Session Created",
      "Stream Start",
      "Recording Start",
      "Session Ended",
      "Stream End",
      "Recording End",
    ]);
    expect(s.requests).toHaveLength(8);
    expect(new Set(got.map((e) => e.id)).size).toBe(6);
    for (const r of requests) {
      expect(r.method).toBe("POST");
      expect(r.headers["content-type"]).toMatch(/^application\/json/);
      expect(r.headers["x-ivs-webhook-key"]).toBe("s3cret");
      expect(r.event).toMatchObject({
        version: "0",
        source: "aws.ivs",
        account: ACCOUNT,
        region: REGION,
        resources: [arn],
      });
      expect(r.event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(r.event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(r.event.detail).toMatchObject({ channel_name: "show", stream_id: started.streamId });
    }
    expect(got.map((e) => e["detail-type"])).toEqual([
      "IVS Stream State Change",
      "IVS Stream State Change",
      "IVS Recording State Change",
      "IVS Stream State Change",
      "IVS Stream State Change",
      "IVS Recording State Change",
    ]);
    expect(got[5]?.detail).toMatchObject({
      recording_s3_bucket_name: "vods",
      recording_session_stream_ids: [started.streamId],
    });
  });

  it("sends no API-key header when the target has none, and never shows the key in the target list", async () => {
    const plain = await sink();
    await sink(undefined, { apiKey: "hidden-value" });
    emit(1);
    await h.emulator.delivery.idle();
    expect(plain.requests[0]?.headers["x-api-key"]).toBeUndefined();
    const list = await h.control<{ targets: unknown[] }>("GET", "/event-targets");
    expect(list.body.targets).toHaveLength(2);
    expect(JSON.stringify(list.body)).not.toContain("hidden-value");
    expect(list.body.targets).toContainEqual(
      expect.objectContaining({ apiKeyHeader: "x-api-key", apiKeySet: true }),
    );
  });

  it("retries a target that answers 500, with back-off, until it takes the event", async () => {
    const s = await sink((n) => (n < 3 ? 500 : 200));
    const [id] = emit(1);
    await h.emulator.delivery.idle();
    expect(s.requests.map((r) => r.event.id)).toEqual([id, id, id, id]);
    // Back-off grows: the gap before the third retry is longer than the base delay.
    const gaps = s.requests.slice(1).map((r, i) => r.at - (s.requests[i]?.at ?? 0));
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(5);
    const stats = await h.control<{ targets: { retried: number; delivered: number; failed: number }[] }>(
      "GET",
      "/event-deliveries",
    );
    expect(stats.body.targets[0]).toMatchObject({ retried: 3, delivered: 1, failed: 0 });
  });

  it("retries 429 and gives up after the configured attempts; a 400 is not retried", async () => {
    await h.control("PUT", "/event-retry", { attempts: 3 });
    const busy = await sink(() => 429, { apiKey: "never-log-me" });
    const refusing = await sink(() => 400);
    logs.length = 0;
    emit(1);
    await h.emulator.delivery.idle();
    expect(busy.requests).toHaveLength(3);
    expect(refusing.requests).toHaveLength(1);
    const { targets } = h.emulator.delivery.stats();
    expect(targets.map((t) => t.failed)).toEqual([1, 1]);
    expect(logs).toHaveLength(2);
    expect(logs.join("\n")).toContain("HTTP 429");
    expect(logs.join("\n")).not.toContain("never-log-me");
  });

  it("treats a target slower than the timeout as failed and retries it", async () => {
    await h.control("PUT", "/event-retry", { timeoutMs: 100, attempts: 2 });
    const s = await sink((n) => (n === 0 ? { delayMs: 400 } : 200));
    emit(1);
    await h.emulator.delivery.idle();
    expect(s.requests).toHaveLength(2);
    expect(h.emulator.delivery.stats().targets[0]).toMatchObject({ retried: 1, delivered: 1 });
  });
});

describe("delivery faults", () => {
  it("drops everything at dropRate 1", async () => {
    const s = await sink();
    await h.control("PUT", "/event-faults", { dropRate: 1 });
    emit(10);
    await h.emulator.delivery.idle();
    expect(s.requests).toHaveLength(0);
    expect(h.emulator.delivery.stats().targets[0]?.dropped).toBe(10);
  });

  it("drops the same events again with the same seed", async () => {
    const s = await sink();
    const run = async (seed: number) => {
      await h.control("PUT", "/event-faults", { dropRate: 0.5, seed });
      const before = s.requests.length;
      const ids = emit(30);
      await h.emulator.delivery.idle();
      const got = new Set(s.requests.slice(before).map((r) => r.event.id));
      return ids.map((id) => (got.has(id) ? 1 : 0)).join("");
    };
    const first = await run(42);
    expect(first).toContain("0");
    expect(first).toContain("1");
    expect(await run(42)).toBe(first);
    expect(await run(43)).not.toBe(first);
  });

  it("delivers every event twice, with the same id, at duplicateRate 1", async () => {
    const s = await sink();
    await h.control("PUT", "/event-faults", { duplicateRate: 1 });
    const ids = emit(3);
    await h.emulator.delivery.idle();
    expect(s.requests.map((r) => r.event.id)).toEqual(ids.flatMap((id) => [id, id]));
  });

  it("delays events by up to delayMs", async () => {
    const s = await sink();
    await h.control("PUT", "/event-faults", { delayMs: 300, seed: 1 });
    const sent = Date.now();
    emit(10);
    await h.emulator.delivery.idle();
    expect(s.requests).toHaveLength(10);
    const latest = Math.max(...s.requests.map((r) => r.at - sent));
    expect(latest).toBeGreaterThanOrEqual(50);
    expect(latest).toBeLessThan(2000);
    expect(h.emulator.delivery.stats().targets[0]?.delayed).toBeGreaterThan(0);
  });

  it("reorders: a held event goes after the next one", async () => {
    const s = await sink();
    await h.control("PUT", "/event-faults", { reorderRate: 1, reorderWindowMs: 5000 });
    const [a, b, c, d, e] = emit(5);
    // The fifth event has nothing behind it; flush sends it instead of waiting out its window.
    await h.emulator.delivery.flush();
    expect(s.requests.map((r) => r.event.id)).toEqual([b, a, d, c, e]);
  });
});

describe("stopping and resetting", () => {
  it("stop() cancels delayed events and settles idle() at once", async () => {
    const s = await sink();
    await h.control("PUT", "/event-faults", { delayMs: 60_000, seed: 3 });
    emit(3);
    expect(h.emulator.delivery.stats().inFlight).toBe(3);
    h.emulator.delivery.stop();
    await h.emulator.delivery.idle();
    expect(h.emulator.delivery.stats().inFlight).toBe(0);
    expect(s.requests).toHaveLength(0);
  });

  it("an emulator reset zeroes the stats but keeps the targets", async () => {
    const s = await sink();
    emit(1);
    await h.emulator.delivery.idle();
    expect(h.emulator.delivery.stats().targets[0]?.delivered).toBe(1);
    await h.control("POST", "/reset");
    expect(h.emulator.delivery.stats().targets).toEqual([
      expect.objectContaining({ url: s.url, delivered: 0 }),
    ]);
    emit(1);
    await h.emulator.delivery.idle();
    expect(s.requests).toHaveLength(2);
  });
});

describe("event control routes", () => {
  it("lists emitted events by channel and time, and clears them", async () => {
    emit(2);
    const other = "arn:aws:ivs:us-west-2:123456789012:channel/otherChannel";
    h.emulator.bus.emit(DETAIL_TYPES.streamHealth, [other], { event_name: "Starvation Start" });
    const mine = await h.control<{ events: { resources: string[] }[] }>(
      "GET",
      `/events?channelArn=${encodeURIComponent(other)}`,
    );
    expect(mine.body.events).toHaveLength(1);
    const future = await h.control<{ events: unknown[] }>("GET", "/events?since=2999-01-01T00:00:00Z");
    expect(future.body.events).toEqual([]);
    expect((await h.control("GET", "/events?since=yesterday")).status).toBe(400);
    await h.control("DELETE", "/events");
    expect((await h.control<{ events: unknown[] }>("GET", "/events")).body.events).toEqual([]);
  });

  it("refuses bad targets and faults with 400 and unknown targets with 404", async () => {
    expect((await h.control("POST", "/event-targets", { url: "ftp://x" })).status).toBe(400);
    expect((await h.control("POST", "/event-targets", {})).status).toBe(400);
    expect(
      (await h.control("POST", "/event-targets", { url: "http://127.0.0.1:1/", apiKeyHeader: "bad header" }))
        .status,
    ).toBe(400);
    expect((await h.control("PUT", "/event-faults", { dropRate: 2 })).status).toBe(400);
    expect((await h.control("PUT", "/event-faults", { lossRate: 0.1 })).status).toBe(400);
    expect((await h.control("PUT", "/event-retry", { attempts: 0 })).status).toBe(400);
    expect((await h.control("DELETE", "/event-targets?url=http://127.0.0.1:9/none")).status).toBe(404);
  });

  it("flushes through the control API and reports the stats", async () => {
    const s = await sink();
    emit(2);
    const res = await h.control<{ idle: boolean; targets: { delivered: number }[] }>(
      "POST",
      "/event-deliveries/flush",
    );
    expect(res.body.idle).toBe(true);
    expect(res.body.targets[0]?.delivered).toBe(2);
    expect(s.requests).toHaveLength(2);
  });
});
