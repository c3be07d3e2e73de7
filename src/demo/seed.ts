import {
  type ChannelSummary,
  CreateAdConfigurationCommand,
  CreateChannelCommand,
  type CreateChannelCommandInput,
  CreatePlaybackRestrictionPolicyCommand,
  CreateRecordingConfigurationCommand,
  GetRecordingConfigurationCommand,
  type IvsClient,
  paginateListChannels,
} from "@aws-sdk/client-ivs";
import type { Logger } from "../logger.ts";

/**
 * What the seed needs from a broadcast simulator: an encoder connecting to a channel and leaving it.
 * The server adapts the embedded emulator to this, so this module never imports the emulator.
 */
export interface DemoBroadcaster {
  start(channelArn: string, viewerCount: number): Promise<void>;
  end(channelArn: string): Promise<void>;
}

export interface DemoSummary {
  /** Channel ARNs by demo name (`demo-live`, `demo-recorded`, ...). */
  channels: Record<string, string>;
  recordingConfigurationArn: string;
  playbackRestrictionPolicyArn: string;
  adConfigurationArn: string;
  /** The channel left broadcasting. */
  liveChannelArn: string;
  /** False when the demo channels were already there and nothing was created. */
  created: boolean;
}

/**
 * The demo channels the emulator's demo schedule cycles through (DEMO_BROADCASTS): `demo-live` stays live
 * and `demo-idle` stays offline, as their names promise, so the page shows every state at once.
 */
export const DEMO_BROADCAST_CHANNELS = ["demo-recorded", "demo-restricted"] as const;

/** The ARNs of DEMO_BROADCAST_CHANNELS that the demo data holds. */
export function demoBroadcastChannels(demo: DemoSummary): string[] {
  return DEMO_BROADCAST_CHANNELS.map((name) => demo.channels[name]).filter((arn): arn is string => !!arn);
}

/** Tag on every demo resource, so they can be found (and cleaned up) by tag. */
export const DEMO_TAGS = { app: "ivs-gateway-demo" } as const;

// Under the 3 TPS quota of GetRecordingConfiguration, so polling never throttles itself.
const POLL_MS = 400;
const FIRST_POLL_MS = 1000;
const ACTIVE_WAIT_MS = 10_000;

/**
 * Creates demo data through the SDK, as any client would: four channels with their stream keys, a
 * recording configuration on one, a restriction policy on another, an ad configuration, two past
 * sessions and one live broadcast. Does nothing when the demo channels already exist.
 */
export async function seedDemoData(
  ivs: IvsClient,
  broadcasts: DemoBroadcaster,
  logger: Logger,
): Promise<DemoSummary> {
  const existing = await existingDemo(ivs);
  if (existing) {
    logger.info("demo data already present; not seeding");
    return existing;
  }

  const { recordingConfiguration } = await ivs.send(
    new CreateRecordingConfigurationCommand({
      name: "demo-recordings",
      destinationConfiguration: { s3: { bucketName: "ivs-gateway-demo-recordings" } },
      thumbnailConfiguration: { recordingMode: "INTERVAL", targetIntervalSeconds: 30 },
      tags: { ...DEMO_TAGS },
    }),
  );
  const recordingConfigurationArn = must(recordingConfiguration?.arn, "recording configuration");
  const { playbackRestrictionPolicy } = await ivs.send(
    new CreatePlaybackRestrictionPolicyCommand({
      name: "demo-north-america",
      allowedCountries: ["US", "CA", "MX"],
      allowedOrigins: ["https://demo.example.com"],
      enableStrictOriginEnforcement: true,
      tags: { ...DEMO_TAGS },
    }),
  );
  const playbackRestrictionPolicyArn = must(playbackRestrictionPolicy?.arn, "playback restriction policy");
  const { adConfiguration } = await ivs.send(
    new CreateAdConfigurationCommand({
      name: "demo-ads",
      mediaTailorPlaybackConfigurations: [
        { playbackConfigurationArn: "arn:aws:mediatailor:us-west-2:123456789012:playbackConfiguration/demo" },
      ],
      tags: { ...DEMO_TAGS },
    }),
  );
  const adConfigurationArn = must(adConfiguration?.arn, "ad configuration");
  // IVS refuses to attach a recording configuration that is still CREATING: the channels that need none
  // are made while it becomes ACTIVE, demo-recorded once it is.
  const active = waitUntilActive(ivs, recordingConfigurationArn);
  // Observed now, so that a create failing before it is awaited leaves no unhandled rejection behind.
  active.catch(() => {});

  const specs: {
    name: string;
    input: Omit<CreateChannelCommandInput, "name">;
  }[] = [
    { name: "demo-live", input: { latencyMode: "LOW", type: "STANDARD", adConfigurationArn } },
    {
      name: "demo-restricted",
      input: { latencyMode: "LOW", type: "BASIC", authorized: true, playbackRestrictionPolicyArn },
    },
    { name: "demo-idle", input: { latencyMode: "NORMAL", type: "BASIC" } },
    { name: "demo-recorded", input: { latencyMode: "LOW", type: "STANDARD", recordingConfigurationArn } },
  ];
  const channels: Record<string, string> = {};
  for (const spec of specs) {
    if (spec.input.recordingConfigurationArn) await active;
    // CreateChannel also creates the channel's one stream key.
    const { channel } = await ivs.send(
      new CreateChannelCommand({ name: spec.name, ...spec.input, tags: { ...DEMO_TAGS, demo: spec.name } }),
    );
    channels[spec.name] = must(channel?.arn, `channel ${spec.name}`);
  }

  const recorded = must(channels["demo-recorded"], "demo-recorded");
  for (let session = 0; session < 2; session++) {
    await broadcasts.start(recorded, 3 + session);
    await broadcasts.end(recorded);
  }
  const liveChannelArn = must(channels["demo-live"], "demo-live");
  await broadcasts.start(liveChannelArn, 42);

  logger.info({ channels: Object.keys(channels), live: "demo-live" }, "demo data seeded");
  return {
    channels,
    recordingConfigurationArn,
    playbackRestrictionPolicyArn,
    adConfigurationArn,
    liveChannelArn,
    created: true,
  };
}

async function existingDemo(ivs: IvsClient): Promise<DemoSummary | undefined> {
  // filterByName matches whole names only, so list everything; an emulator holds few channels.
  const channels: ChannelSummary[] = [];
  for await (const page of paginateListChannels({ client: ivs }, {})) channels.push(...(page.channels ?? []));
  const byName = Object.fromEntries(channels.map((c) => [c.name ?? "", c]));
  const live = byName["demo-live"];
  const recorded = byName["demo-recorded"];
  const restricted = byName["demo-restricted"];
  if (!live?.arn || !recorded?.arn || !restricted?.arn) return undefined;
  return {
    channels: Object.fromEntries(channels.map((c) => [c.name ?? "", c.arn ?? ""])),
    recordingConfigurationArn: recorded.recordingConfigurationArn ?? "",
    playbackRestrictionPolicyArn: restricted.playbackRestrictionPolicyArn ?? "",
    adConfigurationArn: live.adConfigurationArn ?? "",
    liveChannelArn: live.arn,
    created: false,
  };
}

/**
 * Until the recording configuration is ACTIVE: first read after FIRST_POLL_MS (the embedded emulator's
 * activation delay, and the mirror's own first re-read of a CREATING one; an earlier read would only spend
 * GetRecordingConfiguration's quota, which the mirror's crawl needs next), then every POLL_MS.
 */
async function waitUntilActive(ivs: IvsClient, arn: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_WAIT_MS;
  await sleep(FIRST_POLL_MS);
  for (;;) {
    const { recordingConfiguration } = await ivs.send(new GetRecordingConfigurationCommand({ arn }));
    if (recordingConfiguration?.state === "ACTIVE") return;
    if (recordingConfiguration?.state === "CREATE_FAILED")
      throw new Error(`recording configuration ${arn} failed`);
    if (Date.now() > deadline)
      throw new Error(`recording configuration ${arn} is not ACTIVE after ${ACTIVE_WAIT_MS} ms`);
    await sleep(POLL_MS);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function must(value: string | undefined, what: string): string {
  if (!value) throw new Error(`IVS returned no ARN for the demo ${what}`);
  return value;
}
