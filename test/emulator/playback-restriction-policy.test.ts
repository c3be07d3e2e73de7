import {
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  type CreatePlaybackRestrictionPolicyCommandInput,
  DeletePlaybackRestrictionPolicyCommand,
  GetPlaybackRestrictionPolicyCommand,
  ListChannelsCommand,
  ListPlaybackRestrictionPoliciesCommand,
  paginateListPlaybackRestrictionPolicies,
  UpdateChannelCommand,
  UpdatePlaybackRestrictionPolicyCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { ACCOUNT, expectIvsError, missingArn, REGION, uniqueName } from "./expect-ivs.ts";
import { useEmulator } from "./harness.ts";

describe("playback restriction policies", () => {
  const h = useEmulator();
  const create = async (input: CreatePlaybackRestrictionPolicyCommandInput = {}) =>
    (await h.ivs.send(new CreatePlaybackRestrictionPolicyCommand(input))).playbackRestrictionPolicy;

  it("fills in the defaults: all countries, all origins, no strict enforcement, no name", async () => {
    expect(await create()).toEqual({
      arn: expect.stringMatching(
        new RegExp(`^arn:aws:ivs:${REGION}:${ACCOUNT}:playback-restriction-policy/[a-zA-Z0-9]{12}$`),
      ),
      allowedCountries: [],
      allowedOrigins: [],
      enableStrictOriginEnforcement: false,
      name: "",
      tags: {},
    });
  });

  it("keeps what the caller sets; Get returns the same policy", async () => {
    const name = uniqueName("geo");
    const policy = await create({
      name,
      allowedCountries: ["US", "DE"],
      allowedOrigins: ["https://example.com"],
      enableStrictOriginEnforcement: true,
      tags: { owner: "web" },
    });
    expect(policy).toMatchObject({
      name,
      allowedCountries: ["US", "DE"],
      allowedOrigins: ["https://example.com"],
      enableStrictOriginEnforcement: true,
      tags: { owner: "web" },
    });
    const got = await h.ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: policy?.arn }));
    expect(got.playbackRestrictionPolicy).toEqual(policy);
  });

  it.each([
    [{ allowedCountries: ["USA"] }, "allowedCountries"],
    [{ allowedOrigins: ["x".repeat(129)] }, "allowedOrigins"],
    [{ name: "no spaces please" }, "name"],
    [{ tags: { "": "empty key" } }, "tags"],
  ])("rejects %j with a ValidationException naming %s", async (input, member) => {
    await expectIvsError(create(input as never), "ValidationException", 400, member);
  });

  it("updates only the members supplied; an explicit [] resets a list", async () => {
    const policy = await create({
      name: uniqueName("upd"),
      allowedCountries: ["FR"],
      allowedOrigins: ["https://a.example"],
    });
    const renamed = await h.ivs.send(
      new UpdatePlaybackRestrictionPolicyCommand({ arn: policy?.arn, name: "renamed" }),
    );
    expect(renamed.playbackRestrictionPolicy).toEqual({ ...policy, name: "renamed" });
    const reset = await h.ivs.send(
      new UpdatePlaybackRestrictionPolicyCommand({
        arn: policy?.arn,
        allowedCountries: [],
        enableStrictOriginEnforcement: true,
      }),
    );
    expect(reset.playbackRestrictionPolicy).toEqual({
      ...policy,
      name: "renamed",
      allowedCountries: [],
      enableStrictOriginEnforcement: true,
    });
    const got = await h.ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: policy?.arn }));
    expect(got.playbackRestrictionPolicy).toEqual(reset.playbackRestrictionPolicy);
  });

  it("404s for unknown policies on Get, Update and Delete", async () => {
    const arn = missingArn("playback-restriction-policy");
    await expectIvsError(
      h.ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn })),
      "ResourceNotFoundException",
      404,
      arn,
    );
    await expectIvsError(
      h.ivs.send(new UpdatePlaybackRestrictionPolicyCommand({ arn, name: "x" })),
      "ResourceNotFoundException",
      404,
    );
    await expectIvsError(
      h.ivs.send(new DeletePlaybackRestrictionPolicyCommand({ arn })),
      "ResourceNotFoundException",
      404,
    );
    await expectIvsError(
      h.ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: missingArn("ad-configuration") })),
      "ValidationException",
      400,
      "arn",
    );
  });

  it("409s on delete while a channel uses it, and deletes with 204 once detached", async () => {
    const policy = await create();
    const { channel } = await h.ivs.send(
      new CreateChannelCommand({ playbackRestrictionPolicyArn: policy?.arn }),
    );
    const listed = await h.ivs.send(
      new ListChannelsCommand({ filterByPlaybackRestrictionPolicyArn: policy?.arn }),
    );
    expect(listed.channels?.map((c) => c.arn)).toEqual([channel?.arn]);
    await expectIvsError(
      h.ivs.send(new DeletePlaybackRestrictionPolicyCommand({ arn: policy?.arn })),
      "ConflictException",
      409,
      channel?.arn as string,
    );
    await h.ivs.send(new UpdateChannelCommand({ arn: channel?.arn, playbackRestrictionPolicyArn: "" }));
    const out = await h.ivs.send(new DeletePlaybackRestrictionPolicyCommand({ arn: policy?.arn }));
    expect(out.$metadata.httpStatusCode).toBe(204);
    await expectIvsError(
      h.ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn: policy?.arn })),
      "ResourceNotFoundException",
      404,
    );
  });

  it("lists one policy per page by default, as documented", async () => {
    await create();
    await create();
    const first = await h.ivs.send(new ListPlaybackRestrictionPoliciesCommand({}));
    expect(first.playbackRestrictionPolicies).toHaveLength(1);
    expect(first.nextToken).toBeTruthy();
    const second = await h.ivs.send(
      new ListPlaybackRestrictionPoliciesCommand({ nextToken: first.nextToken }),
    );
    expect(second.playbackRestrictionPolicies).toHaveLength(1);
    expect(second.playbackRestrictionPolicies?.[0]?.arn).not.toBe(
      first.playbackRestrictionPolicies?.[0]?.arn,
    );
  });

  it("pages everything with the paginator and with maxResults, without repeats", async () => {
    const arns: string[] = [];
    for (let i = 0; i < 3; i++) arns.push((await create())?.arn as string);
    const seen: string[] = [];
    for await (const page of paginateListPlaybackRestrictionPolicies({ client: h.ivs, pageSize: 2 }, {}))
      seen.push(...(page.playbackRestrictionPolicies ?? []).map((p) => p.arn as string));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(arns));
    const all = await h.ivs.send(new ListPlaybackRestrictionPoliciesCommand({ maxResults: 100 }));
    expect(all.playbackRestrictionPolicies?.map((p) => p.arn)).toEqual(seen);
    expect(all.nextToken).toBeUndefined();
  });

  it("rejects bad tokens and page sizes out of 1..100", async () => {
    const list = (input: { maxResults?: number; nextToken?: string }) =>
      h.ivs.send(new ListPlaybackRestrictionPoliciesCommand(input));
    await expectIvsError(list({ maxResults: 0 }), "ValidationException", 400, "maxResults");
    await expectIvsError(list({ maxResults: 101 }), "ValidationException", 400, "maxResults");
    await expectIvsError(list({ nextToken: "!!" }), "ValidationException", 400, "nextToken");
    await expectIvsError(list({ nextToken: "AAAA" }), "ValidationException", 400, "nextToken");
  });
});

describe("playback restriction policy quota", () => {
  const h = useEmulator({ limits: { playbackRestrictionPolicies: 1 } });

  it("402s past the limit", async () => {
    await h.ivs.send(new CreatePlaybackRestrictionPolicyCommand({}));
    await expectIvsError(
      h.ivs.send(new CreatePlaybackRestrictionPolicyCommand({})),
      "ServiceQuotaExceededException",
      402,
      "playback restriction policies",
    );
  });
});
