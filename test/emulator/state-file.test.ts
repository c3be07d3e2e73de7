import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateChannelCommand,
  GetChannelCommand,
  GetStreamKeyCommand,
  IvsClient,
  ListChannelsCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { createEmulator } from "../../emulator/index.ts";

function client(url: string) {
  return new IvsClient({
    region: "us-west-2",
    endpoint: url,
    credentials: { accessKeyId: "t", secretAccessKey: "t" },
    maxAttempts: 1,
  });
}

describe("state file", () => {
  it("keeps resources across a restart", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ivs-state-")), "state.json");
    const first = createEmulator({ port: 0, stateFile: file, quotas: { enabled: false } });
    await first.start();
    const ivs1 = client(first.url);
    const created = await ivs1.send(new CreateChannelCommand({ name: "kept", tags: { team: "a" } }));
    await first.stop();
    ivs1.destroy();
    expect(JSON.parse(readFileSync(file, "utf8")).channels).toHaveLength(1);

    const second = createEmulator({ port: 0, stateFile: file, quotas: { enabled: false } });
    await second.start();
    const ivs2 = client(second.url);
    const channel = await ivs2.send(new GetChannelCommand({ arn: created.channel?.arn }));
    expect(channel.channel).toMatchObject({
      name: "kept",
      tags: { team: "a" },
      playbackUrl: created.channel?.playbackUrl,
    });
    const key = await ivs2.send(new GetStreamKeyCommand({ arn: created.streamKey?.arn }));
    expect(key.streamKey?.value).toBe(created.streamKey?.value);
    // New resources continue the list order after the restored ones.
    await ivs2.send(new CreateChannelCommand({ name: "after" }));
    const names = (await ivs2.send(new ListChannelsCommand({}))).channels?.map((c) => c.name);
    expect(names).toEqual(["kept", "after"]);
    await second.stop();
    ivs2.destroy();
  });

  it("refuses a state file of an unknown version instead of dropping it", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ivs-state-")), "state.json");
    writeFileSync(file, JSON.stringify({ version: 99 }));
    const e = createEmulator({ port: 0, stateFile: file });
    await expect(e.start()).rejects.toThrow(/unsupported version 99/);
  });

  it("keeps state in memory only when no file is given", async () => {
    const e = createEmulator({ port: 0 });
    await e.start();
    const ivs = client(e.url);
    await ivs.send(new CreateChannelCommand({}));
    await e.stop();
    ivs.destroy();
    await e.start(); // the same in-process emulator keeps its memory across stop/start
    const again = client(e.url);
    expect((await again.send(new ListChannelsCommand({}))).channels).toHaveLength(1);
    await e.stop();
    again.destroy();
    const fresh = createEmulator({ port: 0 });
    await fresh.start();
    const ivs3 = client(fresh.url);
    expect((await ivs3.send(new ListChannelsCommand({}))).channels).toHaveLength(0);
    await fresh.stop();
    ivs3.destroy();
  });
});
