import { describe, expect, it } from "vitest";
import type { MirrorChange, Resource } from "../../src/mirror/changes.ts";
import { kindOfArn } from "../../src/mirror/changes.ts";
import { SESSIONS_KEPT } from "../../src/mirror/sessions.ts";
import { MirrorStore } from "../../src/mirror/store.ts";

const ARN = "arn:aws:ivs:us-west-2:123456789012:channel/abcdABCD0001";
const KEY = "arn:aws:ivs:us-west-2:123456789012:stream-key/keyKEYkey001";
const KEY2 = "arn:aws:ivs:us-west-2:123456789012:stream-key/keyKEYkey002";

const summary = (name: string, extra: Record<string, unknown> = {}): Resource => ({
  arn: ARN,
  name,
  latencyMode: "LOW",
  tags: {},
  ...extra,
});
const full = (name: string, passphrase?: string): Resource => ({
  ...summary(name),
  playbackUrl: "https://example/x.m3u8",
  srt: { endpoint: "srt.example", ...(passphrase ? { passphrase } : {}) },
});
const put = (item: Resource, part: "summary" | "full", at: number): MirrorChange => ({
  op: "put",
  kind: "channel",
  part,
  at,
  items: [item],
});

describe("the mirror's store", () => {
  it("keeps the latest observation of each part, whatever order changes arrive in", () => {
    const orders = [
      [put(full("old", "p"), "full", 10), put(summary("new"), "summary", 20)],
      [put(summary("new"), "summary", 20), put(full("old", "p"), "full", 10)],
    ];
    for (const changes of orders) {
      const store = new MirrorStore();
      for (const c of changes) store.apply(c);
      const held = store.get("channel", ARN);
      // The summary part from t=20, the detail part from t=10 (summaries do not carry it).
      expect(held?.value).toMatchObject({ name: "new", playbackUrl: "https://example/x.m3u8" });
      expect(held?.at).toBe(20);
      expect(held?.detailAt).toBe(10);
    }
  });

  it("never lets a copy without a secret erase it, and takes a secret from an older copy", () => {
    const store = new MirrorStore();
    const passphrase = () =>
      (store.get("channel", ARN)?.value.srt as { passphrase?: string } | undefined)?.passphrase;
    store.apply(put(full("a"), "full", 20));
    expect(passphrase()).toBeUndefined();
    // An older copy (a mutation's answer that arrived after a CloudTrail event) knows the passphrase.
    store.apply(put(full("a", "secret"), "full", 10));
    expect(passphrase()).toBe("secret");
    // A newer copy that could not see it (CloudTrail hides it) keeps it.
    store.apply(put(full("b"), "full", 30));
    expect(store.get("channel", ARN)?.value).toMatchObject({ name: "b", srt: { passphrase: "secret" } });
  });

  it("keeps a deleted resource deleted: an older copy arriving later does not bring it back", () => {
    const store = new MirrorStore();
    store.apply(put(summary("x"), "summary", 10));
    const applied = store.apply({ op: "delete", kind: "channel", arns: [ARN], at: 20 });
    expect(applied.deletedChannels).toEqual([ARN]);
    store.apply(put(full("x"), "full", 15));
    expect(store.get("channel", ARN)).toBeUndefined();
    // A second deletion is no news: nothing to announce.
    expect(store.apply({ op: "delete", kind: "channel", arns: [ARN], at: 30 }).deletedChannels).toEqual([]);
  });

  it("applies tag changes newer than the summary, and ignores older ones", () => {
    const store = new MirrorStore();
    store.apply(put(summary("x", { tags: { a: "1" } }), "summary", 10));
    store.apply({ op: "tags", kind: "channel", arn: ARN, at: 20, set: { b: "2" } });
    store.apply({ op: "tags", kind: "channel", arn: ARN, at: 30, remove: ["a"] });
    store.apply({ op: "tags", kind: "channel", arn: ARN, at: 5, replace: { stale: "yes" } });
    expect(store.get("channel", ARN)?.value.tags).toEqual({ b: "2" });
  });

  it("holds each channel's key list: unknown until listed, listed keys replace the ones gone", () => {
    const store = new MirrorStore();
    store.apply(put(summary("x"), "summary", 1));
    expect(store.keysOf(ARN)).toBeUndefined();
    store.apply({ op: "keys", at: 10, lists: [{ channelArn: ARN, keys: [{ arn: KEY, channelArn: ARN }] }] });
    expect(store.keysOf(ARN)?.map((k) => k.arn)).toEqual([KEY]);
    // Rotated elsewhere: the next list has only the new key.
    store.apply({ op: "keys", at: 20, lists: [{ channelArn: ARN, keys: [{ arn: KEY2, channelArn: ARN }] }] });
    expect(store.keysOf(ARN)?.map((k) => k.arn)).toEqual([KEY2]);
    // A key value seen once (BatchGetStreamKey) survives a list, which never carries values.
    store.apply({
      op: "put",
      kind: "stream-key",
      part: "full",
      at: 25,
      items: [{ arn: KEY2, channelArn: ARN, value: "sk_x" }],
    });
    store.apply({ op: "keys", at: 30, lists: [{ channelArn: ARN, keys: [{ arn: KEY2, channelArn: ARN }] }] });
    expect(store.keysOf(ARN)).toEqual([{ arn: KEY2, channelArn: ARN, value: "sk_x" }]);
    // Deleting the channel takes its keys with it.
    store.apply({ op: "delete", kind: "channel", arns: [ARN], at: 40 });
    expect(store.get("stream-key", KEY2)).toBeUndefined();
    expect(store.keysOf(ARN)).toBeUndefined();
  });

  it("pages in ARN order and resumes after an ARN that was deleted meanwhile", () => {
    const store = new MirrorStore();
    const arns = ["c", "a", "e", "b", "d"].map((id) => `arn:aws:ivs:us-west-2:123456789012:channel/${id}`);
    for (const arn of arns) store.apply(put({ arn, name: arn }, "summary", 1));
    const one = store.of("channel").page(undefined, 2);
    expect(one.items.map((c) => c.arn?.slice(-1))).toEqual(["a", "b"]);
    expect(one.hasNextPage).toBe(true);
    store.apply({ op: "delete", kind: "channel", arns: [arns[3] as string], at: 2 });
    const two = store.of("channel").page(arns[3], 2);
    expect(two.items.map((c) => c.arn?.slice(-1))).toEqual(["c", "d"]);
    expect(store.of("channel").page(arns[2], 2)).toEqual({ items: [], hasNextPage: false });
  });

  it("builds sessions from events, exact once IVS lists them, keeping an end an event reported later", () => {
    const store = new MirrorStore();
    const event = (streamId: string, at: number, what: Record<string, boolean>) =>
      store.apply({ op: "session-event", channelArn: ARN, streamId, at, ...what });
    event("st-1", 1000, { started: true });
    event("st-1", 5000, { ended: true });
    event("st-2", 6000, { started: true });
    event("st-2", 7000, { error: true });
    expect(store.sessions.sessions(ARN).map((s) => [s.streamId, s.endTime, s.hasErrorEvent])).toEqual([
      ["st-2", undefined, true],
      ["st-1", 5000, false],
    ]);
    // IVS's list, read at 6500, has exact times; the error st-2 had after it is kept.
    store.apply({
      op: "sessions",
      channelArn: ARN,
      at: 6500,
      complete: true,
      sessions: [
        { streamId: "st-2", startTime: 6123, hasErrorEvent: false },
        { streamId: "st-1", startTime: 1042, endTime: 4990, hasErrorEvent: false },
      ],
    });
    expect(store.sessions.sessions(ARN).map((s) => [s.startTime, s.endTime, s.hasErrorEvent])).toEqual([
      [6123, undefined, true],
      [1042, 4990, false],
    ]);
    event("st-2", 9000, { ended: true });
    expect(store.sessions.record(ARN, "st-2")?.endTime).toBe(9000);
  });

  it("keeps a session's details until an event about it, and the newest sessions only", () => {
    const store = new MirrorStore();
    store.apply({
      op: "session",
      channelArn: ARN,
      at: 10_000,
      detail: { streamId: "st-1", startTime: new Date(1000).toISOString(), truncatedEvents: [] },
    });
    expect(store.sessions.detail(ARN, "st-1")).toBeDefined();
    store.apply({ op: "session-event", channelArn: ARN, streamId: "st-1", at: 20_000 });
    expect(store.sessions.detail(ARN, "st-1")).toBeUndefined();

    store.apply({ op: "sessions", channelArn: ARN, at: 1, complete: true, sessions: [] });
    for (let i = 0; i <= SESSIONS_KEPT; i++)
      store.apply({
        op: "session-event",
        channelArn: ARN,
        streamId: `st-${1000 + i}`,
        at: 100_000 + i,
        started: true,
      });
    const page = store.sessions.page(ARN, undefined, 200);
    expect(page.items).toHaveLength(SESSIONS_KEPT);
    // The oldest was dropped: the mirror no longer holds them all, so older pages come from IVS.
    expect(page.more).toBe(true);
  });

  it("names kinds by the type in their ARNs (key pairs are playback-key)", () => {
    expect(kindOfArn(ARN)).toBe("channel");
    expect(kindOfArn("arn:aws:ivs:us-west-2:123456789012:playback-key/abcd")).toBe("playback-key-pair");
    expect(kindOfArn("arn:aws:ivs:us-west-2:123456789012:playback-key-pair/abcd")).toBeUndefined();
    expect(kindOfArn("arn:aws:ivs:us-west-2:123456789012:stage/abcd")).toBeUndefined();
  });
});
