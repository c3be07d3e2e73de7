import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateChannelCommand,
  DeleteChannelCommand,
  GetChannelCommand,
  GetStreamCommand,
  GetStreamKeyCommand,
  GetStreamSessionCommand,
  IvsClient,
  ListChannelsCommand,
  TagResourceCommand,
  UpdateChannelCommand,
} from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../emulator/index.ts";

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

  it("rebuilds in-place changes from the write-ahead log alone, before any stop", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ivs-state-")), "state.json");
    const first = createEmulator({ port: 0, stateFile: file, quotas: { enabled: false } });
    await first.start();
    const ivs = client(first.url);
    const a = await ivs.send(new CreateChannelCommand({ name: "a" }));
    const b = await ivs.send(new CreateChannelCommand({ name: "b" }));
    await ivs.send(new CreateChannelCommand({ name: "c" }));
    await ivs.send(new TagResourceCommand({ resourceArn: a.channel?.arn, tags: { team: "x" } }));
    await ivs.send(new UpdateChannelCommand({ arn: a.channel?.arn, name: "a2", latencyMode: "NORMAL" }));
    await ivs.send(new DeleteChannelCommand({ arn: b.channel?.arn }));
    const started = await control(first, "/broadcasts/start", { channelArn: a.channel?.arn, viewerCount: 7 });
    await control(first, "/broadcasts/starve", { channelArn: a.channel?.arn });
    // What a crash leaves on disk right now (the first emulator never stops before the copy).
    const copy = join(mkdtempSync(join(tmpdir(), "ivs-state-")), "state.json");
    copyFileSync(file, copy);
    copyFileSync(`${file}.wal`, `${copy}.wal`);
    expect(statSync(`${copy}.wal`).size).toBeGreaterThan(0);

    const second = createEmulator({ port: 0, stateFile: copy, quotas: { enabled: false } });
    await second.start();
    const ivs2 = client(second.url);
    const names = (await ivs2.send(new ListChannelsCommand({}))).channels?.map((c) => c.name);
    expect(names).toEqual(["a2", "c"]);
    const channel = (await ivs2.send(new GetChannelCommand({ arn: a.channel?.arn }))).channel;
    expect(channel).toMatchObject({ name: "a2", latencyMode: "NORMAL", tags: { team: "x" } });
    const stream = (await ivs2.send(new GetStreamCommand({ channelArn: a.channel?.arn }))).stream;
    expect(stream).toMatchObject({ streamId: started.streamId, health: "STARVING", viewerCount: 7 });
    const session = await ivs2.send(
      new GetStreamSessionCommand({ channelArn: a.channel?.arn, streamId: started.streamId }),
    );
    expect(session.streamSession?.truncatedEvents?.map((e) => e.name)).toContain("Starvation Start");
    await expect(ivs2.send(new GetChannelCommand({ arn: b.channel?.arn }))).rejects.toThrow(/not found/i);
    // Opening folded the log into the state file.
    expect(statSync(`${copy}.wal`).size).toBe(0);
    expect(JSON.parse(readFileSync(copy, "utf8")).channels).toHaveLength(2);
    await Promise.all([first.stop(), second.stop()]);
    ivs.destroy();
    ivs2.destroy();
  });

  it("folds a growing log into the state file and loses nothing doing it", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ivs-state-")), "state.json");
    const e = createEmulator({
      port: 0,
      stateFile: file,
      stateFileCompactBytes: 4096,
      quotas: { enabled: false },
    });
    await e.start();
    const ivs = client(e.url);
    const names = Array.from({ length: 20 }, (_, i) => `n${i}`);
    await Promise.all(names.slice(0, 10).map((name) => ivs.send(new CreateChannelCommand({ name }))));
    for (const name of names.slice(10)) await ivs.send(new CreateChannelCommand({ name }));
    expect(statSync(`${file}.wal`).size).toBeLessThan(4096);
    expect(JSON.parse(readFileSync(file, "utf8")).channels.length).toBeGreaterThan(10);
    const copy = join(mkdtempSync(join(tmpdir(), "ivs-state-")), "state.json");
    copyFileSync(file, copy);
    copyFileSync(`${file}.wal`, `${copy}.wal`);
    const replayed = createEmulator({ port: 0, stateFile: copy, quotas: { enabled: false } });
    await replayed.start();
    const ivs2 = client(replayed.url);
    const listed = (await ivs2.send(new ListChannelsCommand({}))).channels?.map((c) => c.name) ?? [];
    expect([...listed].sort()).toEqual([...names].sort());
    // The sequential half keeps its creation order.
    expect(listed.slice(10)).toEqual(names.slice(10));
    await Promise.all([e.stop(), replayed.stop()]);
    ivs.destroy();
    ivs2.destroy();
  });

  it("refuses a log with a bad line before its end, naming the line without quoting it", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ivs-state-")), "state.json");
    const secret = "sk_us-west-2_WalSecretValueThatMustNotLeak";
    const key = "arn:aws:ivs:us-west-2:123456789012:stream-key/WalKey123456";
    const good = JSON.stringify({
      seq: 1,
      del: [],
      put: [["streamKeys", key, { arn: key, value: secret, channelArn: "x", tags: {} }]],
    });
    writeFileSync(`${file}.wal`, `${good}\n{"seq":2,"put":[${secret}\n${good}\n`);
    const e = createEmulator({ port: 0, stateFile: file });
    const failure = await e.start().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toContain(`${file}.wal`);
    expect(failure?.message).toMatch(/not valid JSON at byte \d+ \(line 2, column \d+\)/);
    expect(failure?.message).not.toContain(secret);
    expect(failure?.message).not.toContain("WalKey");
    // Nothing was rewritten: the file is left as it was for someone to look at.
    expect(existsSync(file)).toBe(false);
  });

  it("refuses a state file of the wrong shape, naming the field", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ivs-state-")), "state.json");
    writeFileSync(file, JSON.stringify({ version: 1, seq: 0, order: {}, channels: "sk_not_a_list" }));
    const e = createEmulator({ port: 0, stateFile: file });
    await expect(e.start()).rejects.toThrow(/"channels" must be a list/);
    await expect(e.start()).rejects.not.toThrow(/sk_not_a_list/);
  });
});

async function control(e: Emulator, path: string, body: unknown): Promise<{ streamId?: string }> {
  const res = await fetch(`${e.url}/_emulator${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { streamId?: string };
}
