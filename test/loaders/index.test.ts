import { IvsClient } from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import type { LiveHub } from "../../src/live/live-hub.ts";
import { createLoaders } from "../../src/loaders/index.ts";
import { Mirror } from "../../src/mirror/mirror.ts";

const ivs = new IvsClient({
  region: "us-west-2",
  endpoint: "http://127.0.0.1:9",
  credentials: { accessKeyId: "x", secretAccessKey: "x" },
});

describe("a request's loaders", () => {
  it("are made on first use, once per request, and each request has its own", () => {
    const mirror = new Mirror({ ivs });
    // Nothing here reads the hub: making the loaders must not touch it.
    const live = {} as LiveHub;
    const listed = async () => [];
    const a = createLoaders(mirror, live, listed);
    const b = createLoaders(mirror, live, listed);
    const made = (loaders: object) => Object.keys((loaders as { made: object }).made);
    expect(made(a)).toEqual([]);
    expect(a.channel).toBe(a.channel);
    expect(made(a)).toEqual(["channel"]);
    expect(a.channel).not.toBe(b.channel);
    expect(a.channel).not.toBe(a.channelSecret);
    expect(typeof a.streamKey.get).toBe("function");
  });
});
