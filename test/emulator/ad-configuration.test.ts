import {
  CreateAdConfigurationCommand,
  type CreateAdConfigurationCommandInput,
  CreateChannelCommand,
  DeleteAdConfigurationCommand,
  GetAdConfigurationCommand,
  InsertAdBreakCommand,
  ListAdConfigurationsCommand,
  paginateListAdConfigurations,
  UpdateAdConfigurationCommand,
  UpdateChannelCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it, vi } from "vitest";
import { ACCOUNT, expectIvsError, goLive, missingArn, REGION, uniqueName } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

const emt = (id: string) => ({
  playbackConfigurationArn: `arn:aws:mediatailor:${REGION}:${ACCOUNT}:playbackConfiguration/${id}`,
});

describe("ad configurations", () => {
  const h = useEmulator();
  const create = async (input: Partial<CreateAdConfigurationCommandInput> = {}) =>
    (
      await h.ivs.send(
        new CreateAdConfigurationCommand({ mediaTailorPlaybackConfigurations: [emt("default")], ...input }),
      )
    ).adConfiguration;

  it("fills in the defaults: no name, post-roll disabled at 15 seconds", async () => {
    expect(await create()).toEqual({
      arn: expect.stringMatching(
        new RegExp(`^arn:aws:ivs:${REGION}:${ACCOUNT}:ad-configuration/[a-zA-Z0-9]{12}$`),
      ),
      name: "",
      mediaTailorPlaybackConfigurations: [emt("default")],
      postRollConfiguration: { enabled: false, durationSeconds: 15 },
      tags: {},
    });
  });

  it("keeps what the caller sets; Get returns the same configuration", async () => {
    const name = uniqueName("ads");
    const config = await create({
      name,
      mediaTailorPlaybackConfigurations: [emt("a"), emt("b"), emt("c")],
      postRollConfiguration: { enabled: true, durationSeconds: 120 },
      tags: { campaign: "spring" },
    });
    expect(config).toMatchObject({
      name,
      mediaTailorPlaybackConfigurations: [emt("a"), emt("b"), emt("c")],
      postRollConfiguration: { enabled: true, durationSeconds: 120 },
      tags: { campaign: "spring" },
    });
    const got = await h.ivs.send(new GetAdConfigurationCommand({ arn: config?.arn }));
    expect(got.adConfiguration).toEqual(config);
  });

  it.each([
    [{ mediaTailorPlaybackConfigurations: undefined }, "mediaTailorPlaybackConfigurations"],
    [{ mediaTailorPlaybackConfigurations: [] }, "mediaTailorPlaybackConfigurations"],
    [
      { mediaTailorPlaybackConfigurations: [emt("1"), emt("2"), emt("3"), emt("4")] },
      "mediaTailorPlaybackConfigurations",
    ],
    [
      { mediaTailorPlaybackConfigurations: [{ playbackConfigurationArn: "arn:aws:ivs:x" }] },
      "playbackConfigurationArn",
    ],
    [{ postRollConfiguration: { enabled: true, durationSeconds: 301 } }, "durationSeconds"],
    [{ postRollConfiguration: { durationSeconds: 30 } }, "enabled"],
    [{ name: "white space" }, "name"],
  ])("rejects %j with a ValidationException naming %s", async (input, member) => {
    await expectIvsError(create(input as never), "ValidationException", 400, member);
  });

  it("updates only the members supplied", async () => {
    const config = await create({ name: uniqueName("upd") });
    const renamed = await h.ivs.send(new UpdateAdConfigurationCommand({ arn: config?.arn, name: "renamed" }));
    expect(renamed.adConfiguration).toEqual({ ...config, name: "renamed" });
    const rolled = await h.ivs.send(
      new UpdateAdConfigurationCommand({
        arn: config?.arn,
        postRollConfiguration: { enabled: true, durationSeconds: 30 },
        mediaTailorPlaybackConfigurations: [emt("other")],
      }),
    );
    expect(rolled.adConfiguration).toEqual({
      ...config,
      name: "renamed",
      postRollConfiguration: { enabled: true, durationSeconds: 30 },
      mediaTailorPlaybackConfigurations: [emt("other")],
    });
  });

  it("404s for unknown configurations on Get, Update and Delete", async () => {
    const arn = missingArn("ad-configuration");
    await expectIvsError(
      h.ivs.send(new GetAdConfigurationCommand({ arn })),
      "ResourceNotFoundException",
      404,
      arn,
    );
    await expectIvsError(
      h.ivs.send(new UpdateAdConfigurationCommand({ arn, name: "x" })),
      "ResourceNotFoundException",
      404,
    );
    await expectIvsError(
      h.ivs.send(new DeleteAdConfigurationCommand({ arn })),
      "ResourceNotFoundException",
      404,
    );
  });

  it("409s on delete while a channel uses it, and deletes with 204 once detached", async () => {
    const config = await create();
    const { channel } = await h.ivs.send(new CreateChannelCommand({ adConfigurationArn: config?.arn }));
    await expectIvsError(
      h.ivs.send(new DeleteAdConfigurationCommand({ arn: config?.arn })),
      "ConflictException",
      409,
      channel?.arn as string,
    );
    await h.ivs.send(new UpdateChannelCommand({ arn: channel?.arn, adConfigurationArn: "" }));
    const out = await h.ivs.send(new DeleteAdConfigurationCommand({ arn: config?.arn }));
    expect(out.$metadata.httpStatusCode).toBe(204);
    await expectIvsError(
      h.ivs.send(new GetAdConfigurationCommand({ arn: config?.arn })),
      "ResourceNotFoundException",
      404,
    );
  });

  it("pages with the paginator and explicit tokens; rejects bad tokens and sizes", async () => {
    const arns: string[] = [];
    for (let i = 0; i < 3; i++) arns.push((await create())?.arn as string);
    const seen: string[] = [];
    for await (const page of paginateListAdConfigurations({ client: h.ivs, pageSize: 2 }, {})) {
      expect(page.adConfigurations?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.adConfigurations ?? []).map((a) => a.arn as string));
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(arns));
    const first = await h.ivs.send(new ListAdConfigurationsCommand({ maxResults: 1 }));
    const second = await h.ivs.send(
      new ListAdConfigurationsCommand({ maxResults: 1, nextToken: first.nextToken }),
    );
    expect([first.adConfigurations?.[0]?.arn, second.adConfigurations?.[0]?.arn]).toEqual(seen.slice(0, 2));

    const list = (input: { maxResults?: number; nextToken?: string }) =>
      h.ivs.send(new ListAdConfigurationsCommand(input));
    await expectIvsError(list({ maxResults: 0 }), "ValidationException", 400, "maxResults");
    await expectIvsError(list({ maxResults: 101 }), "ValidationException", 400, "maxResults");
    await expectIvsError(list({ nextToken: "a b" }), "ValidationException", 400, "nextToken");
  });
});

describe("InsertAdBreak", () => {
  const h = useEmulator();
  const channelWithAds = async () => {
    const { adConfiguration } = await h.ivs.send(
      new CreateAdConfigurationCommand({ mediaTailorPlaybackConfigurations: [emt("live")] }),
    );
    const { channel } = await h.ivs.send(
      new CreateChannelCommand({ adConfigurationArn: adConfiguration?.arn }),
    );
    return channel?.arn as string;
  };

  it("inserts an ad break on a live channel and notes it on the session", async () => {
    const channelArn = await channelWithAds();
    goLive(h.emulator, channelArn);
    const note = vi.spyOn(h.emulator.broadcasts, "note");
    try {
      const out = await h.ivs.send(new InsertAdBreakCommand({ channelArn, durationSeconds: 30 }));
      expect(out.adBreakId).toMatch(/^[a-zA-Z0-9]{12}$/);
      expect(note).toHaveBeenCalledWith(channelArn, expect.any(String), expect.any(String));
    } finally {
      note.mockRestore();
    }
  });

  it("404s ChannelNotBroadcasting when the channel is offline", async () => {
    const channelArn = await channelWithAds();
    await expectIvsError(
      h.ivs.send(new InsertAdBreakCommand({ channelArn, durationSeconds: 30 })),
      "ChannelNotBroadcasting",
      404,
      channelArn,
    );
  });

  it("409s when the channel has no ad configuration, live or not", async () => {
    const { channel } = await h.ivs.send(new CreateChannelCommand({}));
    const channelArn = channel?.arn as string;
    const insert = () => h.ivs.send(new InsertAdBreakCommand({ channelArn, durationSeconds: 30 }));
    await expectIvsError(insert(), "ConflictException", 409, "ad configuration");
    goLive(h.emulator, channelArn);
    await expectIvsError(insert(), "ConflictException", 409, "ad configuration");
  });

  it("404s ResourceNotFoundException for an unknown channel", async () => {
    const channelArn = missingArn("channel");
    await expectIvsError(
      h.ivs.send(new InsertAdBreakCommand({ channelArn, durationSeconds: 30 })),
      "ResourceNotFoundException",
      404,
      channelArn,
    );
  });

  it.each([
    [{ durationSeconds: 0 }, "durationSeconds"],
    [{ durationSeconds: 301 }, "durationSeconds"],
    [{}, "durationSeconds"],
    [{ durationSeconds: 30, channelArn: "not-an-arn" }, "channelArn"],
  ])("rejects %j with a ValidationException naming %s", async (input, member) => {
    const channelArn = missingArn("channel");
    await expectIvsError(
      h.ivs.send(new InsertAdBreakCommand({ channelArn, ...input } as never)),
      "ValidationException",
      400,
      member,
    );
  });
});

describe("ad configuration quota", () => {
  const h = useEmulator({ limits: { adConfigurations: 1 } });

  it("402s past the limit", async () => {
    const create = () =>
      h.ivs.send(new CreateAdConfigurationCommand({ mediaTailorPlaybackConfigurations: [emt("q")] }));
    await create();
    await expectIvsError(create(), "ServiceQuotaExceededException", 402, "ad configurations");
  });
});
