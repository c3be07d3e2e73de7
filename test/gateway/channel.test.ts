import {
  AccessDeniedException,
  CreateAdConfigurationCommand,
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  CreateRecordingConfigurationCommand,
  IvsClient,
  PendingVerification,
} from "@aws-sdk/client-ivs";
import { beforeEach, describe, expect, it } from "vitest";
import { createGatewayApp } from "../../src/app.ts";
import { type GatewayHarness, useGateway } from "./harness.ts";
import { TEST_AUTH_HEADERS, TEST_SECURITY } from "./test-auth.ts";

const FIELDS = `id arn name latencyMode type authorized insecureIngest preset containerFormat
  recordingConfigurationArn playbackRestrictionPolicyArn adConfigurationArn
  ingestEndpoint playbackUrl srt { endpoint passphrase }
  multitrackInputConfiguration { enabled policy maximumResolution } tags { key value }`;

const RESULT = `__typename
  ... on Error { message retriable }
  ... on ValidationError { field }
  ... on NotFoundError { missingArn: arn }`;

const CREATE = `mutation ($input: CreateChannelInput!) {
  createChannel(input: $input) {
    ${RESULT}
    ... on CreateChannelPayload { channel { ${FIELDS} } streamKey { id arn value channelArn } }
  }
}`;

const UPDATE = `mutation ($input: UpdateChannelInput!) {
  updateChannel(input: $input) {
    ${RESULT}
    ... on Channel { ${FIELDS} recordingConfiguration { arn name } }
  }
}`;

const DELETE = `mutation ($arn: String!) {
  deleteChannel(input: { arn: $arn }) { ${RESULT} ... on DeleteChannelPayload { deletedId arn } }
}`;

const GET = `query ($arn: String!) { channel(arn: $arn) { ${FIELDS} } }`;
const MISSING = "arn:aws:ivs:us-west-2:123456789012:channel/missing00000";

type Result = Record<string, unknown> & { __typename: string };
type Created = Result & { channel: Result; streamKey: Result };

async function create(h: GatewayHarness, input: Record<string, unknown> = {}): Promise<Created> {
  const res = await h.gql<{ createChannel: Created }>(CREATE, { input });
  expect(res.errors).toBeUndefined();
  return res.data?.createChannel as Created;
}

describe("channels", () => {
  const h = useGateway();
  beforeEach(() => h.resetCounts());

  it("creates a channel with IVS's defaults and returns it with its stream key", async () => {
    const out = await create(h, { name: "defaults" });
    expect(out).toMatchObject({
      __typename: "CreateChannelPayload",
      channel: {
        arn: expect.stringMatching(/^arn:aws:ivs:us-west-2:123456789012:channel\//),
        name: "defaults",
        latencyMode: "LOW",
        type: "STANDARD",
        authorized: false,
        insecureIngest: false,
        preset: null,
        containerFormat: "TS",
        recordingConfigurationArn: null,
        playbackUrl: expect.stringMatching(/^https:\/\/.+\.m3u8$/),
        ingestEndpoint: expect.stringMatching(/\.global-contribute\.live-video\.net$/),
        srt: { endpoint: expect.stringMatching(/\.srt\.live-video\.net$/), passphrase: expect.any(String) },
        multitrackInputConfiguration: { enabled: false, policy: "ALLOW", maximumResolution: "FULL_HD" },
        tags: [],
      },
      streamKey: { value: expect.stringMatching(/^sk_us-west-2_/) },
    });
    const { channel, streamKey } = out;
    expect(streamKey.channelArn).toBe(channel.arn);
    expect(h.count("CreateChannel")).toBe(1);
  });

  it("creates an ADVANCED_SD channel with a preset, NORMAL latency and tags", async () => {
    const out = await create(h, {
      name: "advanced",
      type: "ADVANCED_SD",
      latencyMode: "NORMAL",
      preset: "CONSTRAINED_BANDWIDTH_DELIVERY",
      authorized: true,
      tags: [{ key: "team", value: "video" }],
    });
    expect(out.channel).toMatchObject({
      type: "ADVANCED_SD",
      latencyMode: "NORMAL",
      preset: "CONSTRAINED_BANDWIDTH_DELIVERY",
      authorized: true,
      tags: [{ key: "team", value: "video" }],
    });
  });

  it("refuses bad input before calling IVS, naming the field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "has spaces" }, "input.name"],
      [{ name: "x".repeat(129) }, "input.name"],
      [{ preset: "HIGHER_BANDWIDTH_DELIVERY" }, "input.preset"],
      [
        { multitrackInputConfiguration: { enabled: true, policy: "ALLOW" } },
        "input.multitrackInputConfiguration.maximumResolution",
      ],
      [
        {
          type: "BASIC",
          containerFormat: "FRAGMENTED_MP4",
          multitrackInputConfiguration: { enabled: true, policy: "ALLOW", maximumResolution: "HD" },
        },
        "input.multitrackInputConfiguration.enabled",
      ],
      [
        { multitrackInputConfiguration: { enabled: true, policy: "ALLOW", maximumResolution: "HD" } },
        "input.containerFormat",
      ],
      [
        { recordingConfigurationArn: "arn:aws:ivs:us-west-2:123456789012:channel/wrongType" },
        "input.recordingConfigurationArn",
      ],
      [
        {
          tags: [
            { key: "a", value: "1" },
            { key: "a", value: "2" },
          ],
        },
        "input.tags[1].key",
      ],
    ];
    for (const [input, field] of cases) {
      const res = await h.gql<{ createChannel: Result }>(CREATE, { input });
      expect(res.data?.createChannel, field).toMatchObject({ __typename: "ValidationError", field });
    }
    expect(h.count("CreateChannel")).toBe(0);
  });

  it("creates a multitrack channel when the rules are met", async () => {
    const out = await create(h, {
      containerFormat: "FRAGMENTED_MP4",
      multitrackInputConfiguration: { enabled: true, policy: "REQUIRE", maximumResolution: "HD" },
    });
    expect(out.channel).toMatchObject({
      containerFormat: "FRAGMENTED_MP4",
      multitrackInputConfiguration: { enabled: true, policy: "REQUIRE", maximumResolution: "HD" },
    });
  });

  it("answers a missing referenced configuration with NotFoundError", async () => {
    const arn = "arn:aws:ivs:us-west-2:123456789012:recording-configuration/missing00000";
    const out = await create(h, { recordingConfigurationArn: arn });
    expect(out).toMatchObject({ __typename: "NotFoundError", missingArn: arn });
  });

  it("looks a channel up by ARN; a missing or malformed ARN is null without a failed batch", async () => {
    const { channel } = await create(h, { name: "lookup" });
    await h.resetCounts();
    const found = await h.gql<{ channel: Result }>(GET, { arn: channel.arn });
    expect(found.data?.channel).toEqual(channel);
    expect((await h.gql(GET, { arn: MISSING })).data).toEqual({ channel: null });
    expect((await h.gql(GET, { arn: "not-an-arn" })).data).toEqual({ channel: null });
    // The channel came from the mirror; the missing one was asked for once, the malformed one never.
    expect(h.count("BatchGetChannel")).toBe(1);
    expect((await h.gql(GET, { arn: MISSING })).data).toEqual({ channel: null });
    expect(h.count("BatchGetChannel")).toBe(1);
  });

  it("updates only the given members, attaches and detaches configurations", async () => {
    const { channel } = await create(h, { name: "before", latencyMode: "LOW" });
    const rc = await h.ivs.send(
      new CreateRecordingConfigurationCommand({
        name: "rec",
        destinationConfiguration: { s3: { bucketName: "channel-tests" } },
      }),
    );
    const rcArn = rc.recordingConfiguration?.arn;
    const updated = await h.gql<{ updateChannel: Result }>(UPDATE, {
      input: { arn: channel.arn, name: "after", recordingConfigurationArn: rcArn },
    });
    expect(updated.data?.updateChannel).toMatchObject({
      __typename: "Channel",
      name: "after",
      latencyMode: "LOW",
      recordingConfigurationArn: rcArn,
      recordingConfiguration: { arn: rcArn, name: "rec" },
      playbackUrl: channel.playbackUrl,
    });
    const detached = await h.gql<{ updateChannel: Result }>(UPDATE, {
      input: { arn: channel.arn, recordingConfigurationArn: "" },
    });
    expect(detached.data?.updateChannel).toMatchObject({
      name: "after",
      recordingConfigurationArn: null,
      recordingConfiguration: null,
    });
  });

  it("reports update failures as typed results", async () => {
    const missing = await h.gql<{ updateChannel: Result }>(UPDATE, { input: { arn: MISSING, name: "x" } });
    expect(missing.data?.updateChannel).toMatchObject({ __typename: "NotFoundError", missingArn: MISSING });
    const bad = await h.gql<{ updateChannel: Result }>(UPDATE, { input: { arn: "nope" } });
    expect(bad.data?.updateChannel).toMatchObject({ __typename: "ValidationError", field: "input.arn" });
    expect(h.count("UpdateChannel")).toBe(1);
  });

  it("links the playback restriction policy and ad configuration", async () => {
    const policy = await h.ivs.send(
      new CreatePlaybackRestrictionPolicyCommand({ name: "only-de", allowedCountries: ["DE"] }),
    );
    const ads = await h.ivs.send(
      new CreateAdConfigurationCommand({
        name: "ads",
        mediaTailorPlaybackConfigurations: [
          {
            playbackConfigurationArn: "arn:aws:mediatailor:us-west-2:123456789012:playbackConfiguration/cfg",
          },
        ],
      }),
    );
    const out = await h.ivs.send(
      new CreateChannelCommand({
        playbackRestrictionPolicyArn: policy.playbackRestrictionPolicy?.arn,
        adConfigurationArn: ads.adConfiguration?.arn,
      }),
    );
    const res = await h.gql(
      `query ($arn: String!) { channel(arn: $arn) {
        playbackRestrictionPolicy { arn allowedCountries } adConfiguration { arn name } recordingConfiguration { arn } } }`,
      { arn: out.channel?.arn },
    );
    expect(res.data).toEqual({
      channel: {
        playbackRestrictionPolicy: { arn: policy.playbackRestrictionPolicy?.arn, allowedCountries: ["DE"] },
        adConfiguration: { arn: ads.adConfiguration?.arn, name: "ads" },
        recordingConfiguration: null,
      },
    });
  });

  it("deletes a channel with its key and returns its id and ARN", async () => {
    const { channel, streamKey } = await create(h);
    const res = await h.gql<{ deleteChannel: Result }>(DELETE, { arn: channel.arn });
    expect(res.data?.deleteChannel).toEqual({
      __typename: "DeleteChannelPayload",
      deletedId: channel.id,
      arn: channel.arn,
    });
    const after = await h.gql(
      `query ($c: String!, $k: String!) { channel(arn: $c) { arn } streamKey(arn: $k) { arn } }`,
      {
        c: channel.arn,
        k: streamKey.arn,
      },
    );
    expect(after.data).toEqual({ channel: null, streamKey: null });
    const again = await h.gql<{ deleteChannel: Result }>(DELETE, { arn: channel.arn });
    expect(again.data?.deleteChannel).toMatchObject({ __typename: "NotFoundError", missingArn: channel.arn });
  });
});

describe("failures IVS reports for the account", () => {
  const h = useGateway();

  /** A gateway whose IVS client fails every call with `error`, as the SDK would raise it. */
  function failingGateway(error: Error) {
    const ivs = new IvsClient({
      region: "us-west-2",
      endpoint: h.emulator.url,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    ivs.middlewareStack.add(
      () => async () => {
        throw error;
      },
      { step: "initialize" },
    );
    return createGatewayApp({
      ivs,
      live: h.live.hub,
      mirror: h.mirror.mirror,
      graphiql: false,
      logging: false,
      security: TEST_SECURITY,
    });
  }

  it.each([
    ["AccessDeniedError", new AccessDeniedException({ message: "not authorized", $metadata: {} })],
    [
      "PendingVerificationError",
      new PendingVerification({ message: "account pending verification", $metadata: {} }),
    ],
  ])("returns %s as a typed result", async (typename, error) => {
    const yoga = failingGateway(error);
    const res = await yoga.fetch("http://gateway/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...TEST_AUTH_HEADERS },
      body: JSON.stringify({ query: CREATE, variables: { input: { name: "denied" } } }),
    });
    const body = (await res.json()) as { data: { createChannel: Result } };
    expect(body.data.createChannel).toMatchObject({
      __typename: typename,
      message: error.message,
      retriable: false,
    });
  });
});
