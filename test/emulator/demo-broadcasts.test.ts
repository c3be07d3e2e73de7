import {
  CreateChannelCommand,
  DeleteChannelCommand,
  DeleteStreamKeyCommand,
  IvsClient,
  ListStreamKeysCommand,
  ListStreamsCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { optionsFromCli } from "../../emulator/cli.ts";
import { createEmulator } from "../../emulator/index.ts";
import { useEmulator } from "./harness.ts";

/** Short phases: 600 ms live with a 200 ms starvation in the middle, 300 ms offline. */
const PHASES = { liveMs: 600, offlineMs: 300, starveMs: 200, viewersEveryMs: 100 };

const h = useEmulator({ demo: PHASES, broadcasts: { recordingEndDelayScale: 0 } });

async function channel(name: string): Promise<string> {
  const { channel } = await h.ivs.send(new CreateChannelCommand({ name }));
  return channel?.arn as string;
}

type State = "OFFLINE" | "HEALTHY" | "STARVING";
interface Observation {
  state: State;
  streamId?: string;
  viewerCount?: number;
}

/** What ListStreams says of each channel, sampled every 20 ms until `until` holds or `ms` pass. */
async function watch(
  ivs: IvsClient,
  arns: string[],
  until: (seen: Map<string, Observation[]>) => boolean,
  ms = 5000,
): Promise<Map<string, Observation[]>> {
  const seen = new Map<string, Observation[]>(arns.map((a) => [a, []]));
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const { streams = [] } = await ivs.send(new ListStreamsCommand({}));
    for (const arn of arns) {
      const s = streams.find((x) => x.channelArn === arn);
      const now: Observation = s
        ? { state: s.health as State, streamId: s.streamId, viewerCount: s.viewerCount }
        : { state: "OFFLINE" };
      const list = seen.get(arn) as Observation[];
      const last = list.at(-1);
      if (
        !last ||
        last.state !== now.state ||
        last.streamId !== now.streamId ||
        last.viewerCount !== now.viewerCount
      )
        list.push(now);
    }
    if (until(seen)) return seen;
    await new Promise((r) => setTimeout(r, 20));
  }
  return seen;
}

/** The states a channel went through, repeats collapsed (viewer-count changes are not state changes). */
const states = (list: Observation[]) =>
  list.map((o) => o.state).filter((s, i, all) => i === 0 || s !== all[i - 1]);

const cycled = (list: Observation[]) => {
  const s = states(list).join(" ");
  return s.includes("HEALTHY STARVING HEALTHY OFFLINE HEALTHY");
};

describe("demo broadcasts", () => {
  it("goes live, starves, recovers, changes viewers, ends and starts again, channels staggered", async () => {
    const a = await channel("demo-a");
    const b = await channel("demo-b");
    h.emulator.demo.start([a, b]);
    expect(h.emulator.demo.running).toBe(true);
    expect(h.emulator.demo.channels()).toEqual([a, b]);

    const seen = await watch(h.ivs, [a, b], (m) => [...m.values()].every(cycled));
    const ofA = seen.get(a) as Observation[];
    const ofB = seen.get(b) as Observation[];
    expect(states(ofA).join(" ")).toContain("HEALTHY STARVING HEALTHY OFFLINE HEALTHY");
    expect(states(ofB).join(" ")).toContain("HEALTHY STARVING HEALTHY OFFLINE HEALTHY");

    // Each broadcast is a new stream; within one, the audience changes.
    const streamsOfA = [...new Set(ofA.map((o) => o.streamId).filter(Boolean))];
    expect(streamsOfA.length).toBeGreaterThanOrEqual(2);
    const viewersOfFirst = new Set(ofA.filter((o) => o.streamId === streamsOfA[0]).map((o) => o.viewerCount));
    expect(viewersOfFirst.size).toBeGreaterThan(1);

    // Staggered: the second channel starts half a cycle after the first, so it was seen offline first.
    expect(ofA[0]?.state).toBe("HEALTHY");
    expect(ofB[0]?.state).toBe("OFFLINE");

    // Every transition was an IVS event, as EventBridge would deliver them.
    const names = h.emulator.bus
      .emitted()
      .filter((e) => e.resources.includes(a))
      .map((e) => String(e.detail.event_name));
    expect(names).toEqual(
      expect.arrayContaining(["Stream Start", "Starvation Start", "Starvation End", "Stream End"]),
    );

    h.emulator.demo.stop();
    expect(h.emulator.demo.running).toBe(false);
    const emitted = h.emulator.bus.emitted().length;
    const before = await h.ivs.send(new ListStreamsCommand({}));
    // Two whole cycles later nothing has moved.
    await new Promise((r) => setTimeout(r, 2 * (PHASES.liveMs + PHASES.offlineMs)));
    const after = await h.ivs.send(new ListStreamsCommand({}));
    expect(after.streams).toEqual(before.streams);
    expect(h.emulator.bus.emitted().length).toBe(emitted);
    for (const s of after.streams ?? []) h.emulator.broadcasts.end(s.channelArn as string);
  });

  it("adopts a broadcast already live, ends it on schedule, and skips a channel without a key", async () => {
    const live = await channel("demo-adopted");
    const keyless = await channel("demo-keyless");
    const { streamKeys } = await h.ivs.send(new ListStreamKeysCommand({ channelArn: keyless }));
    await h.ivs.send(new DeleteStreamKeyCommand({ arn: streamKeys?.[0]?.arn }));
    const started = h.emulator.broadcasts.start({ channelArn: live, viewerCount: 7 });
    const breaches = h.emulator.bus.emitted().filter((e) => e.detail.limit_name !== undefined).length;

    h.emulator.demo.start([live, keyless]);
    const seen = await watch(h.ivs, [live, keyless], (m) => cycled(m.get(live) ?? []));
    const ofLive = seen.get(live) as Observation[];
    expect(ofLive[0]).toMatchObject({ state: "HEALTHY", streamId: started.streamId });
    expect(states(ofLive).join(" ")).toContain("HEALTHY STARVING HEALTHY OFFLINE HEALTHY");
    expect(ofLive.at(-1)?.streamId).not.toBe(started.streamId);
    expect(states(seen.get(keyless) ?? [])).toEqual(["OFFLINE"]);
    expect(h.emulator.bus.emitted().filter((e) => e.detail.limit_name !== undefined).length).toBe(breaches);
    h.emulator.demo.stop();
    for (const s of h.emulator.broadcasts.live()) h.emulator.broadcasts.end(s.channelArn);
  });

  it("with demoBroadcasts, runs on every channel, those created later too, and stops with the emulator", async () => {
    const emulator = createEmulator({
      port: 0,
      quotas: { enabled: false },
      demoBroadcasts: true,
      demo: PHASES,
    });
    await emulator.start();
    const ivs = new IvsClient({
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    try {
      expect(emulator.demo.running).toBe(true);
      const { channel: created } = await ivs.send(new CreateChannelCommand({ name: "later" }));
      const arn = created?.arn as string;
      // Picked up by the next look for channels (at least once a second), then cycled like the others.
      const seen = await watch(ivs, [arn], (m) => cycled(m.get(arn) ?? []));
      expect(states(seen.get(arn) ?? []).join(" ")).toContain("HEALTHY STARVING HEALTHY OFFLINE HEALTHY");
      expect(emulator.demo.channels()).toEqual([arn]);

      // IVS refuses to delete a live channel; the demo starts the next broadcast only after offlineMs.
      if (emulator.store.streams.has(arn)) emulator.broadcasts.end(arn);
      await ivs.send(new DeleteChannelCommand({ arn }));
      await watch(ivs, [], () => emulator.demo.channels().length === 0, 3000);
      expect(emulator.demo.channels()).toEqual([]);
      expect(emulator.demo.running).toBe(true);
    } finally {
      ivs.destroy();
      await emulator.stop();
    }
    expect(emulator.demo.running).toBe(false);
  });

  it("is switched on by --demo-broadcasts or IVS_EMULATOR_DEMO_BROADCASTS", () => {
    expect(optionsFromCli([], {}).demoBroadcasts).toBeUndefined();
    expect(optionsFromCli(["--demo-broadcasts"], {}).demoBroadcasts).toBe(true);
    expect(optionsFromCli(["--demo-broadcasts", "--port", "0"], {})).toMatchObject({
      demoBroadcasts: true,
      port: 0,
    });
    expect(optionsFromCli(["--demo-broadcasts", "false"], {}).demoBroadcasts).toBe(false);
    expect(optionsFromCli([], { IVS_EMULATOR_DEMO_BROADCASTS: "true" }).demoBroadcasts).toBe(true);
    expect(() => optionsFromCli([], { IVS_EMULATOR_DEMO_BROADCASTS: "sometimes" })).toThrow(
      /IVS_EMULATOR_DEMO_BROADCASTS/,
    );
  });

  it("refuses phases that cannot be scheduled", () => {
    expect(() => createEmulator({ demo: { liveMs: 0 } })).toThrow(/liveMs/);
    expect(() => createEmulator({ demo: { offlineMs: -1 } })).toThrow(/offlineMs/);
  });
});
