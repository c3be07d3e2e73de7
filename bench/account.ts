/**
 * An IVS account made outside the gateway, through the SDK, as an operator's other tools would have made
 * it: channels (each with the stream key CreateChannel makes), recording configurations on some, a
 * playback restriction policy on some, tags on some; past sessions on a few hundred channels and a set
 * of channels left live, through the emulator's broadcast simulator.
 *
 * Set-up runs with the emulator's quotas scaled up (PUT /_emulator/quotas {"scale": 200}) so 5,000
 * channels take seconds, and sets them back to IVS's real rates before returning.
 */
import {
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  CreateRecordingConfigurationCommand,
  IvsClient,
} from "@aws-sdk/client-ivs";
import type { EmulatorProcess } from "./emulator.ts";
import { sleep } from "./lib.ts";

export interface AccountSpec {
  channels: number;
  /** Recording configurations, each attached round-robin to every `recordEvery`-th channel. Default 5. */
  recordingConfigurations?: number;
  /** Every n-th channel records. Default 10. */
  recordEvery?: number;
  /** Every n-th channel (offset 3) carries the playback restriction policy. Default 20. */
  restrictEvery?: number;
  /** Every n-th channel (offset 1) is tagged. Default 4. */
  tagEvery?: number;
  /** Channels that get past broadcast sessions (every third of them two). Default 300. */
  pastSessionChannels?: number;
  /** Channels broadcasting from the end of set-up on, with viewers. Default 50. */
  live?: number;
}

export interface Account {
  spec: Required<AccountSpec>;
  channelArns: string[];
  liveArns: string[];
  recordingConfigurationArns: string[];
  policyArn: string;
  /** Past sessions made (ended or failed broadcasts). */
  pastSessions: number;
  setupSeconds: number;
}

/** Runs `fn` over `items` with at most `concurrency` in flight; results in input order. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

const pad = (i: number) => String(i).padStart(5, "0");

export async function createAccount(emulator: EmulatorProcess, spec: AccountSpec): Promise<Account> {
  const s: Required<AccountSpec> = {
    recordingConfigurations: 5,
    recordEvery: 10,
    restrictEvery: 20,
    tagEvery: 4,
    pastSessionChannels: 300,
    live: 50,
    ...spec,
  };
  const started = performance.now();
  await emulator.control("PUT", "/quotas", { enabled: true, scale: 200 });
  const ivs = new IvsClient({
    region: "us-west-2",
    endpoint: emulator.url,
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    maxAttempts: 5,
  });
  try {
    const recordingConfigurationArns = await pool(
      Array.from({ length: s.recordingConfigurations }, (_, i) => i),
      5,
      async (i) => {
        const out = await ivs.send(
          new CreateRecordingConfigurationCommand({
            name: `bench-recordings-${i}`,
            destinationConfiguration: { s3: { bucketName: `bench-recordings-${i}` } },
            tags: { bench: "read-path" },
          }),
        );
        return out.recordingConfiguration?.arn as string;
      },
    );
    const policy = await ivs.send(
      new CreatePlaybackRestrictionPolicyCommand({
        name: "bench-restricted",
        allowedCountries: ["US", "CA", "FR"],
        allowedOrigins: ["https://bench.example.com"],
        enableStrictOriginEnforcement: true,
      }),
    );
    const policyArn = policy.playbackRestrictionPolicy?.arn as string;
    // Recording configurations are CREATING for the emulator's activation delay (1 s) and only ACTIVE ones record.
    await sleep(1100);

    const channelArns = await pool(
      Array.from({ length: s.channels }, (_, i) => i),
      50,
      async (i) => {
        const out = await ivs.send(
          new CreateChannelCommand({
            name: `bench-${pad(i)}`,
            latencyMode: i % 3 === 0 ? "NORMAL" : "LOW",
            ...(s.recordingConfigurations > 0 && i % s.recordEvery === 0
              ? {
                  recordingConfigurationArn:
                    recordingConfigurationArns[(i / s.recordEvery) % s.recordingConfigurations],
                }
              : {}),
            ...(i % s.restrictEvery === 3 ? { playbackRestrictionPolicyArn: policyArn } : {}),
            ...(i % s.tagEvery === 1 ? { tags: { team: `team-${i % 7}`, bench: "read-path" } } : {}),
          }),
        );
        const arn = out.channel?.arn;
        if (!arn || !out.streamKey?.arn) throw new Error(`CreateChannel ${i} answered no channel or key`);
        return arn;
      },
    );

    // Past sessions: spread over the account; every tenth fails (hasErrorEvent), every third has two.
    const step = Math.max(1, Math.floor(s.channels / Math.max(1, s.pastSessionChannels)));
    const past = Array.from(
      { length: Math.min(s.pastSessionChannels, s.channels) },
      (_, k) => channelArns[(k * step) % s.channels] as string,
    );
    let pastSessions = 0;
    for (const round of [0, 1]) {
      await pool(past, 40, async (channelArn, k) => {
        if (round === 1 && k % 3 !== 0) return;
        await emulator.control("POST", "/broadcasts/start", { channelArn, viewerCount: 10 + (k % 90) });
        if (k % 10 === 9) await emulator.control("POST", "/broadcasts/fail", { channelArn });
        else await emulator.control("POST", "/broadcasts/end", { channelArn });
        pastSessions += 1;
      });
      // Distinct session start times between the two rounds (IVS times have second precision).
      if (round === 0) await sleep(1100);
    }

    // Live channels: a few on the dashboard's page (the first 50 channels), the rest spread over the account.
    const liveCount = Math.min(s.live, s.channels);
    const liveSet = new Set(channelArns.slice(0, Math.min(5, liveCount)));
    const liveStep = Math.max(1, Math.floor(s.channels / Math.max(1, liveCount)));
    for (let k = 0; liveSet.size < liveCount && k < s.channels; k++)
      liveSet.add(
        channelArns[
          (Math.floor(liveStep / 2) + k * liveStep + Math.floor(k / liveCount)) % s.channels
        ] as string,
      );
    const liveArns = [...liveSet];
    await pool(liveArns, 20, (channelArn, k) =>
      emulator.control("POST", "/broadcasts/start", { channelArn, viewerCount: 50 + ((k * 977) % 5000) }),
    );
    return {
      spec: s,
      channelArns,
      liveArns,
      recordingConfigurationArns,
      policyArn,
      pastSessions,
      setupSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    ivs.destroy();
    await emulator.control("PUT", "/quotas", { enabled: true, scale: 1 });
    await emulator.control("DELETE", "/requests");
  }
}
