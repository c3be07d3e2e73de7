import { IvsClient } from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import type { LogEntry } from "../../src/live/event-log.ts";
import { parseIvsEvent } from "../../src/live/ivs-event.ts";
import { Mirror } from "../../src/mirror/mirror.ts";
import { applyLogEntry } from "../../src/mirror/watch.ts";
import { stateChange } from "../live/envelopes.ts";

const CHANNEL = "arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGhIjKl";

/** A Stream Start as EventBridge would deliver it, dated `time`. */
function streamStart(id: string, time: string, streamId: string): LogEntry {
  const parsed = parseIvsEvent(
    stateChange({
      id,
      channelArn: CHANNEL,
      eventName: "Stream Start",
      streamId,
      time,
      channelName: "watched",
    }),
  );
  if (!parsed.ok) throw new Error(`not an event: ${parsed.reason}`);
  return { type: "event", event: parsed.event };
}

describe("the mirror follows events only inside the event time window", () => {
  // No IVS call is made: applyLogEntry only records what events say.
  const ivs = new IvsClient({
    region: "us-west-2",
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });

  it("opens a session for a Stream Start received now, and none for one dated 2999 or 1971", () => {
    const mirror = new Mirror({ ivs });
    const now = Date.now();
    applyLogEntry(mirror, undefined, streamStart("e-2999", "2999-01-01T00:00:00Z", "st-future"), now);
    applyLogEntry(mirror, undefined, streamStart("e-1971", "1971-01-01T00:00:00Z", "st-past"), now);
    expect(mirror.store.sessions.open(CHANNEL)).toEqual([]);
    applyLogEntry(mirror, undefined, streamStart("e-now", new Date(now).toISOString(), "st-now"), now);
    expect(mirror.store.sessions.open(CHANNEL).map((s) => s.streamId)).toEqual(["st-now"]);
  });

  it("judges an event against the log's receipt time, as live status does, not the clock of the replay", () => {
    const mirror = new Mirror({ ivs });
    const now = Date.now();
    const receivedAt = now - 120_000;
    // Six minutes ahead of its receipt (out of the 5-minute window), though only four ahead of now.
    const ahead = new Date(receivedAt + 360_000).toISOString();
    applyLogEntry(mirror, undefined, streamStart("e-late", ahead, "st-late"), now, { receivedAt });
    expect(mirror.store.sessions.open(CHANNEL)).toEqual([]);
  });

  it("takes its window from the configuration", () => {
    const mirror = new Mirror({ ivs });
    const now = Date.now();
    const tenMinutesAhead = new Date(now + 600_000).toISOString();
    applyLogEntry(mirror, undefined, streamStart("e-ahead", tenMinutesAhead, "st-ahead"), now, {
      clockSkewMs: 900_000,
    });
    expect(mirror.store.sessions.open(CHANNEL).map((s) => s.streamId)).toEqual(["st-ahead"]);
  });
});
