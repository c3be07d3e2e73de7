import {
  BatchStartViewerSessionRevocationCommand,
  CreateChannelCommand,
  StartViewerSessionRevocationCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { revokedVersion } from "../../emulator/operations/viewer-session.ts";
import { expectIvsError, missingArn, rawPost } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

const h = useEmulator();

const newChannelArn = async () =>
  (await h.ivs.send(new CreateChannelCommand({ authorized: true }))).channel?.arn as string;

describe("StartViewerSessionRevocation", () => {
  it("answers 200 with an empty body and records the revoked version", async () => {
    const channelArn = await newChannelArn();
    const out = await h.ivs.send(
      new StartViewerSessionRevocationCommand({
        channelArn,
        viewerId: "viewer-1",
        viewerSessionVersionsLessThanOrEqualTo: 1_700_000_000,
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(revokedVersion(h.emulator.store, channelArn, "viewer-1")).toBe(1_700_000_000);
    expect(revokedVersion(h.emulator.store, channelArn, "viewer-2")).toBeUndefined();
    const raw = await rawPost(h.emulator, "StartViewerSessionRevocation", { channelArn, viewerId: "raw" });
    expect(raw).toEqual({ status: 200, body: {} });
  });

  it("defaults the version to 0 and never lowers an earlier revocation", async () => {
    const channelArn = await newChannelArn();
    const revoke = (v?: number) =>
      h.ivs.send(
        new StartViewerSessionRevocationCommand({
          channelArn,
          viewerId: "v",
          viewerSessionVersionsLessThanOrEqualTo: v,
        }),
      );
    await revoke();
    expect(revokedVersion(h.emulator.store, channelArn, "v")).toBe(0);
    await revoke(10);
    await revoke(3);
    expect(revokedVersion(h.emulator.store, channelArn, "v")).toBe(10);
  });

  it("404s for an unknown channel", async () => {
    const channelArn = missingArn("channel");
    await expectIvsError(
      h.ivs.send(new StartViewerSessionRevocationCommand({ channelArn, viewerId: "v" })),
      "ResourceNotFoundException",
      404,
      channelArn,
    );
  });

  it.each([
    [{ viewerId: "" }, "viewerId"],
    [{ viewerId: "x".repeat(41) }, "viewerId"],
    [{ viewerId: undefined }, "viewerId"],
    [{ viewerId: "v", viewerSessionVersionsLessThanOrEqualTo: -1 }, "viewerSessionVersionsLessThanOrEqualTo"],
    [{ viewerId: "v", channelArn: "arn:aws:ivs:us-west-2:1:stream-key/abc" }, "channelArn"],
  ])("rejects %j with a ValidationException naming %s", async (input, member) => {
    const channelArn = missingArn("channel");
    await expectIvsError(
      h.ivs.send(new StartViewerSessionRevocationCommand({ channelArn, ...input } as never)),
      "ValidationException",
      400,
      member,
    );
  });
});

describe("BatchStartViewerSessionRevocation", () => {
  it("revokes the valid pairs and reports unknown channels per item with HTTP 200", async () => {
    const channelArn = await newChannelArn();
    const missing = missingArn("channel");
    const out = await h.ivs.send(
      new BatchStartViewerSessionRevocationCommand({
        viewerSessions: [
          { channelArn, viewerId: "a", viewerSessionVersionsLessThanOrEqualTo: 5 },
          { channelArn: missing, viewerId: "b" },
          { channelArn, viewerId: "c" },
        ],
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.errors).toEqual([
      {
        channelArn: missing,
        viewerId: "b",
        code: "ResourceNotFoundException",
        message: expect.stringContaining(missing),
      },
    ]);
    expect(revokedVersion(h.emulator.store, channelArn, "a")).toBe(5);
    expect(revokedVersion(h.emulator.store, channelArn, "c")).toBe(0);
  });

  it("returns an empty error list when every pair is valid", async () => {
    const channelArn = await newChannelArn();
    const out = await h.ivs.send(
      new BatchStartViewerSessionRevocationCommand({ viewerSessions: [{ channelArn, viewerId: "only" }] }),
    );
    expect(out.errors).toEqual([]);
  });

  it("rejects 0 or more than 20 pairs, and invalid items, as a whole", async () => {
    const channelArn = await newChannelArn();
    const send = (viewerSessions: { channelArn: string; viewerId: string }[]) =>
      h.ivs.send(new BatchStartViewerSessionRevocationCommand({ viewerSessions }));
    const many = Array.from({ length: 21 }, (_, i) => ({ channelArn, viewerId: `v${i}` }));
    await expectIvsError(send(many), "ValidationException", 400, "viewerSessions");
    await expectIvsError(send([]), "ValidationException", 400, "viewerSessions");
    await expectIvsError(
      send([{ channelArn, viewerId: "" }]),
      "ValidationException",
      400,
      "viewerSessions[0].viewerId",
    );
    // Nothing in a rejected batch is revoked.
    expect(revokedVersion(h.emulator.store, channelArn, "v0")).toBeUndefined();
  });
});
