import { IvsClient } from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { Mirror } from "../../src/mirror/mirror.ts";

const CHANNEL = "arn:aws:ivs:us-west-2:123456789012:channel/HeLdHeLdHeLd";
const OTHER = "arn:aws:ivs:us-west-2:123456789012:channel/NoTHeLdNoTHe";

// No IVS call is made: only what the mirror holds is asked for without waiting.
const ivs = new IvsClient({
  region: "us-west-2",
  endpoint: "http://127.0.0.1:9",
  credentials: { accessKeyId: "x", secretAccessKey: "x" },
});

describe("the mirror's reads without waiting", () => {
  it("answer what is held, each counted as one hit, and nothing (uncounted) for what is not", () => {
    const lookups: string[] = [];
    const mirror = new Mirror({ ivs, onLookup: (kind, outcome) => lookups.push(`${kind} ${outcome}`) });
    mirror.record({
      op: "put",
      kind: "channel",
      part: "summary",
      at: Date.now(),
      items: [{ arn: CHANNEL, name: "held" }],
    });
    expect(mirror.heldResource("channel", CHANNEL)).toMatchObject({ arn: CHANNEL, name: "held" });
    // A summary is not the full object, nor does it hold the SRT passphrase.
    expect(mirror.heldFull("channel", CHANNEL)).toBeUndefined();
    expect(mirror.heldWithSecret("channel", CHANNEL)).toBeUndefined();
    expect(mirror.heldResource("channel", OTHER)).toBeUndefined();
    expect(mirror.heldKeysOf(CHANNEL)).toBeUndefined();
    expect(lookups).toEqual(["channel hit"]);

    mirror.record({
      op: "put",
      kind: "channel",
      part: "full",
      at: Date.now(),
      items: [{ arn: CHANNEL, name: "held", srt: { endpoint: "e", passphrase: "p" } }],
    });
    expect(mirror.heldFull("channel", CHANNEL)).toMatchObject({ name: "held" });
    expect(mirror.heldWithSecret("channel", CHANNEL)).toMatchObject({ srt: { passphrase: "p" } });
    expect(lookups).toEqual(["channel hit", "channel hit", "channel hit"]);
  });

  it("are what the awaited reads answer from, with the same count", async () => {
    const lookups: string[] = [];
    const mirror = new Mirror({ ivs, onLookup: (kind, outcome) => lookups.push(`${kind} ${outcome}`) });
    mirror.record({ op: "put", kind: "channel", part: "full", at: Date.now(), items: [{ arn: CHANNEL }] });
    expect(await mirror.full("channel", CHANNEL)).toEqual(mirror.heldFull("channel", CHANNEL));
    expect(await mirror.resource("channel", CHANNEL)).toEqual(mirror.heldResource("channel", CHANNEL));
    expect(lookups).toEqual(Array(4).fill("channel hit"));
  });
});
