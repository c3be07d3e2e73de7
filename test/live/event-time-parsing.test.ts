import { describe, expect, it } from "vitest";
import { parseIvsEvent } from "../../src/live/ivs-event.ts";
import { type LiveFact, LiveStateStore, type StreamEventName } from "../../src/live/live-state.ts";

const CH = "arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh";
const NOW = Date.UTC(2026, 11, 2, 10, 0, 0);
const MIN = 60_000;
const FAR_FUTURE = Date.parse("2999-01-01T00:00:00Z");
const LAST_DATE = Date.parse("+275760-09-13T00:00:00Z");
const PAST = Date.parse("1971-01-01T00:00:00Z");
const ev = (name: StreamEventName, streamId: string, time: number, channelArn = CH): LiveFact => ({
  kind: "stream",
  channelArn,
  streamId,
  name,
  time,
});

function envelope(overrides: Record<string, unknown> = {}, detail: Record<string, unknown> = {}) {
  return {
    version: "0",
    id: "6f2723f3-ee31-9e48-b030-ac865e261a8e",
    "detail-type": "IVS Stream State Change",
    source: "aws.ivs",
    account: "123456789012",
    time: "2026-12-02T10:00:00Z",
    region: "us-west-2",
    resources: [CH],
    detail: {
      event_name: "Stream Start",
      channel_name: "show",
      stream_id: "st-1AuTyMDASvHUTSb8p5PvbsO",
      ...detail,
    },
    ...overrides,
  };
}
const reasonOf = (body: unknown) => {
  const r = parseIvsEvent(body);
  return r.ok ? undefined : r.reason;
};

describe("parsing event times", () => {
  it("accepts any real, representable RFC 3339 date-time, however far away", () => {
    for (const time of ["2026-12-02T10:00:00Z", "2026-12-02T10:00:00.250+01:00", "2024-02-29T00:00:00Z"])
      expect(parseIvsEvent(envelope({ time })).ok, time).toBe(true);
    const far = parseIvsEvent(envelope({ time: "2999-01-01T00:00:00Z" }));
    expect(far.ok && far.event.time).toBe(FAR_FUTURE);
    const last = parseIvsEvent(envelope({ time: "+275760-09-13T00:00:00Z" }));
    expect(last.ok && last.event.time).toBe(LAST_DATE);
  });

  it("rejects nonsense dates as malformed instead of guessing what they mean", () => {
    // Date.parse takes each of these (the first two roll over or read "1" as the year 2001).
    for (const time of [
      "2026-02-30T00:00:00Z",
      "1",
      "2026-12-02",
      "2026-12-02T24:00:00Z",
      "Wed Dec 02 2026",
      "+275760-09-13T00:00:00.001Z",
      "2026-12-02T10:00:00+24:00",
    ]) {
      const r = parseIvsEvent(envelope({ time }));
      expect(r, time).toMatchObject({ ok: false, malformed: true, reason: expect.stringContaining("time") });
    }
  });
});

describe("parsing bounds fields to what IVS allows", () => {
  it("rejects a 200 KB channel name, and every field past its bound, without echoing the value", () => {
    const huge = "x".repeat(200_000);
    const reason = reasonOf(envelope({}, { channel_name: huge }));
    expect(reason).toBe("detail.channel_name must be at most 128 characters");
    expect(reasonOf(envelope({}, { stream_id: `st-${"a".repeat(24)}` }))).toContain("detail.stream_id");
    expect(reasonOf(envelope({}, { event_name: "Stream Failure", reason: "r".repeat(1025) }))).toContain(
      "detail.reason",
    );
    expect(reasonOf(envelope({}, { code: "c".repeat(129) }))).toContain("detail.code");
    expect(reasonOf(envelope({ region: "r".repeat(65) }))).toContain("region");
    expect(reasonOf(envelope({ resources: [`${CH}${"a".repeat(100)}`] }))).toContain("resources");
    const recording = (detail: Record<string, unknown>) =>
      envelope(
        { "detail-type": "IVS Recording State Change" },
        { recording_status: "Recording End", ...detail },
      );
    expect(reasonOf(recording({ recording_s3_bucket_name: "b".repeat(64) }))).toContain("bucket");
    expect(reasonOf(recording({ recording_s3_key_prefix: "k".repeat(1025) }))).toContain("key_prefix");
    expect(
      reasonOf(recording({ recording_session_stream_ids: Array.from({ length: 101 }, () => "st-1") })),
    ).toContain("recording_session_stream_ids");
    expect(reasonOf(recording({ recording_session_stream_ids: [huge] }))).toContain(
      "recording_session_stream_ids",
    );
    const limit = envelope(
      { "detail-type": "IVS Limit Breach" },
      { limit_name: "Ingest Bitrate", limit_unit: huge },
    );
    expect(reasonOf(limit)).toContain("detail.limit_unit");
    expect(reasonOf(envelope({}, { channel_name: huge })) ?? "").not.toContain("xxxx");
  });

  it("accepts every field at its bound", () => {
    const r = parseIvsEvent(
      envelope(
        {},
        { channel_name: "n".repeat(128), stream_id: `st-${"a".repeat(23)}`, code: "c".repeat(128) },
      ),
    );
    expect(r.ok).toBe(true);
  });
});

describe("live state judges event times against the receiving clock", () => {
  it("does not let a far-future start take an idle channel LIVE, and a real start then works", () => {
    const live = new LiveStateStore();
    expect(live.apply(ev("Stream Start", "st-poison", FAR_FUTURE), NOW)).toBeUndefined();
    expect(live.apply(ev("Stream Start", "st-last", LAST_DATE), NOW)).toBeUndefined();
    expect(live.get(CH)).toMatchObject({ status: "OFFLINE", streamId: null, version: 0 });
    expect(live.apply(ev("Stream Start", "st-real", NOW), NOW + 300)).toMatchObject({
      status: "LIVE",
      streamId: "st-real",
    });
  });

  it("does not let a long-past end take a live channel OFFLINE", () => {
    const live = new LiveStateStore();
    live.apply(ev("Stream Start", "st-1", NOW), NOW);
    expect(live.apply(ev("Stream End", "st-1", PAST), NOW + 1000)).toBeUndefined();
    expect(live.get(CH)).toMatchObject({ status: "LIVE", streamId: "st-1" });
    // ...nor marks the stream ended: its real end still counts.
    expect(live.apply(ev("Stream End", "st-1", NOW + 5000), NOW + 5000)?.status).toBe("OFFLINE");
  });

  it("moves live state only within the window, whose edges are its options", () => {
    const live = new LiveStateStore({ clockSkewMs: MIN, maxAgeMs: 10 * MIN });
    expect(live.apply(ev("Stream Start", "st-1", NOW + MIN + 1), NOW)).toBeUndefined();
    expect(live.apply(ev("Stream Start", "st-1", NOW + MIN), NOW)?.status).toBe("LIVE");
    expect(live.apply(ev("Stream End", "st-1", NOW - 10 * MIN - 1), NOW)).toBeUndefined();
    expect(live.apply(ev("Stream End", "st-1", NOW + MIN - 10 * MIN), NOW + MIN)?.status).toBe("OFFLINE");
    // Defaults: 5 min ahead, 24 h behind.
    const defaults = new LiveStateStore();
    expect(defaults.inWindow(NOW + 5 * MIN, NOW)).toBe(true);
    expect(defaults.inWindow(NOW + 5 * MIN + 1, NOW)).toBe(false);
    expect(defaults.inWindow(NOW - 24 * 60 * MIN, NOW)).toBe(true);
    expect(defaults.inWindow(NOW - 24 * 60 * MIN - 1, NOW)).toBe(false);
  });

  it("lets a snapshot repair an event dated ahead within the window: it cannot have happened after its receipt", () => {
    const live = new LiveStateStore();
    // The event's clock runs 4 minutes ahead: accepted, but no snapshot taken after its receipt loses to it.
    live.apply(ev("Stream Start", "st-1", NOW + 4 * MIN), NOW);
    expect(live.reconcile([], NOW + 10_000).map((c) => c.status)).toEqual(["OFFLINE"]);
    // One received less than a second before the snapshot still wins over it (ListStreams may lag).
    live.apply(ev("Stream Start", "st-2", NOW + 4 * MIN + 20_000), NOW + 20_000);
    expect(live.reconcile([], NOW + 20_500)).toEqual([]);
    expect(live.get(CH)).toMatchObject({ status: "LIVE", streamId: "st-2" });
  });
});

describe("reconciliation repairs state already poisoned by event times", () => {
  it("takes a channel a far-future start made LIVE back OFFLINE, and a real broadcast then shows", () => {
    const live = new LiveStateStore();
    // Applied without a receipt time, the way state was poisoned before events were bounded.
    live.apply(ev("Stream Start", "st-poison", FAR_FUTURE));
    expect(live.get(CH).status).toBe("LIVE");
    expect(live.reconcile([], NOW)).toMatchObject([{ status: "OFFLINE", source: "RECONCILIATION" }]);
    expect(live.get(CH).updatedAt).toBe(NOW);
    expect(live.apply(ev("Stream Start", "st-real", NOW + 2000), NOW + 2000)?.streamId).toBe("st-real");
  });

  it("replaces a poisoned stream by the one ListStreams reports", () => {
    const live = new LiveStateStore();
    live.apply(ev("Stream Start", "st-poison", LAST_DATE));
    expect(live.reconcile([{ channelArn: CH, streamId: "st-real" }], NOW)).toMatchObject([
      { status: "LIVE", streamId: "st-real" },
    ]);
    expect(live.get(CH).updatedAt).toBe(NOW);
  });

  it("brings back LIVE a stream a far-future end took OFFLINE", () => {
    const live = new LiveStateStore();
    live.apply(ev("Stream Start", "st-1", NOW - 60_000), NOW - 60_000);
    live.apply(ev("Stream End", "st-1", FAR_FUTURE));
    expect(live.get(CH).status).toBe("OFFLINE");
    expect(live.reconcile([{ channelArn: CH, streamId: "st-1" }], NOW)).toMatchObject([
      { status: "LIVE", streamId: "st-1" },
    ]);
  });

  it("lets a real start replace a poisoned stream before any reconciliation", () => {
    const live = new LiveStateStore();
    live.apply(ev("Stream Start", "st-poison", FAR_FUTURE));
    expect(live.apply(ev("Stream Start", "st-real", NOW), NOW)).toMatchObject({
      status: "LIVE",
      streamId: "st-real",
    });
    // ...and health and recording facts of a stream are not held back by poisoned ones.
    live.apply({ kind: "health", channelArn: CH, streamId: "st-real", starving: true, time: FAR_FUTURE });
    expect(
      live.apply(
        { kind: "health", channelArn: CH, streamId: "st-real", starving: false, time: NOW + 1000 },
        NOW + 1000,
      )?.health,
    ).toBe("HEALTHY");
  });
});

/** A tiny deterministic PRNG so that the property runs are reproducible. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a * 1664525 + 1013904223) % 4294967296;
    return a / 4294967296;
  };
}

describe("property: with receipt times and a skewed event clock, no regression and a snapshot converges", () => {
  it("holds for 200 histories whose event clock runs up to 4 min ahead or 30 s behind, with late deliveries", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = rng(seed);
      // Event clock minus receiving clock, for this history.
      const offset = Math.round((random() * 270 - 30) * 1000);
      const channels = ["a", "b"].map((x) => `${CH.slice(0, -1)}${x}`);
      const facts: LiveFact[] = [];
      const truth = new Map<string, string | null>();
      let clock = NOW + offset;
      for (const channelArn of channels) {
        truth.set(channelArn, null);
        const sessions = 1 + Math.floor(random() * 4);
        for (let i = 0; i < sessions; i++) {
          const streamId = `st-${seed}-${channelArn.slice(-1)}-${i}`;
          clock += 1000 * (5 + Math.floor(random() * 20));
          facts.push(
            ev("Session Created", streamId, clock, channelArn),
            ev("Stream Start", streamId, clock + 1000, channelArn),
          );
          const ends = i < sessions - 1 || random() < 0.5;
          if (ends) {
            clock += 1000 * (10 + Math.floor(random() * 30));
            facts.push(
              ev("Session Ended", streamId, clock, channelArn),
              ev("Stream End", streamId, clock + 1000, channelArn),
            );
          }
          truth.set(channelArn, ends ? null : streamId);
        }
      }
      // Drop 20 %, duplicate 20 %, deliver each 0 to 5 s late (reordering those close together).
      const delivered: { fact: LiveFact; receivedAt: number }[] = [];
      for (const fact of facts) {
        if (random() < 0.2) continue;
        const copies = random() < 0.2 ? 2 : 1;
        for (let c = 0; c < copies; c++)
          delivered.push({ fact, receivedAt: fact.time - offset + Math.floor(random() * 5000) });
      }
      delivered.sort((x, y) => x.receivedAt - y.receivedAt);
      const live = new LiveStateStore();
      const order = new Map<string, string[]>();
      let lastReceipt = 0;
      for (const { fact, receivedAt } of delivered) {
        lastReceipt = Math.max(lastReceipt, receivedAt);
        const change = live.apply(fact, receivedAt);
        if (!change?.streamId) continue;
        const seen = order.get(change.channelArn) ?? [];
        if (seen.includes(change.streamId)) expect(seen.at(-1), `seed ${seed}`).toBe(change.streamId);
        else seen.push(change.streamId);
        order.set(change.channelArn, seen);
        const starts = seen.map((id) => Number(id.split("-").pop()));
        expect(
          [...starts].sort((x, y) => x - y),
          `seed ${seed}`,
        ).toEqual(starts);
      }
      const snapshot = [...truth]
        .filter(([, s]) => s !== null)
        .map(([channelArn, streamId]) => ({ channelArn, streamId: streamId as string }));
      // Taken on the receiving clock, a few seconds after the last delivery, whatever the events' clock said.
      live.reconcile(snapshot, lastReceipt + 2000, channels);
      for (const [channelArn, streamId] of truth)
        expect(live.get(channelArn).streamId, `seed ${seed} ${channelArn}`).toBe(streamId);
    }
  });
});
