import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BatchGetStreamKeyCommand,
  CreateChannelCommand,
  DeleteChannelCommand,
  IvsClient,
  ListChannelsCommand,
} from "@aws-sdk/client-ivs";
import { afterAll, describe, expect, it } from "vitest";
import { EMULATOR_PROGRAM } from "../support/programs.ts";

/** The standalone emulator on a state file, as `npm run emulator -- --state-file …` runs it. */
interface Running {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function stateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "ivs-durable-"));
  dirs.push(dir);
  return join(dir, "state.json");
}

function run(file: string): { child: ChildProcess; stderr: () => string; stdout: () => string } {
  const child = spawn(
    process.execPath,
    [...EMULATOR_PROGRAM, "--port", "0", "--no-quotas", "--state-file", file],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  return { child, stderr: () => err, stdout: () => out };
}

async function start(file: string): Promise<Running> {
  const { child, stderr, stdout } = run(file);
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout());
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`emulator exited ${code}: ${stderr()}`)));
  });
  return { child, url, stderr };
}

async function kill(r: Running, signal: "SIGKILL" | "SIGTERM"): Promise<void> {
  const exited = once(r.child, "exit");
  r.child.kill(signal);
  await exited;
}

function client(url: string): IvsClient {
  return new IvsClient({
    region: "us-west-2",
    endpoint: url,
    credentials: { accessKeyId: "t", secretAccessKey: "t" },
    maxAttempts: 1,
  });
}

async function listChannels(ivs: IvsClient, maxResults = 100): Promise<{ arn: string; name: string }[]> {
  const all: { arn: string; name: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ivs.send(new ListChannelsCommand({ maxResults, nextToken }));
    for (const c of page.channels ?? []) all.push({ arn: c.arn ?? "", name: c.name ?? "" });
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

/** Stream key ARNs among `arns` that the emulator has. */
async function existingKeys(ivs: IvsClient, arns: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < arns.length; i += 50) {
    const out = await ivs.send(new BatchGetStreamKeyCommand({ arns: arns.slice(i, i + 50) }));
    for (const k of out.streamKeys ?? []) if (k.arn) found.add(k.arn);
  }
  return found;
}

describe("state file durability", () => {
  it("keeps every acknowledged create and delete across kill -9 in the middle of concurrent writes", async () => {
    const file = stateFile();
    /** Acknowledged creates not (yet) deleted: channel ARN → its stream key ARN. */
    const created = new Map<string, string>();
    /** Channels whose delete was acknowledged, with their keys. */
    const deleted = new Map<string, string>();
    /** Deletes sent but never answered: either outcome is right. */
    const unsure = new Set<string>();
    const deletable: string[] = [];
    let acknowledged = 0;

    for (let round = 0; round < 4; round++) {
      const emulator = await start(file);
      const ivs = client(emulator.url);
      await check(ivs, created, deleted);
      let killed = false;
      let killing: Promise<void> | undefined;
      const roundStart = acknowledged;
      const worker = async (w: number) => {
        for (let i = 0; !killed; i++) {
          try {
            const out = await ivs.send(new CreateChannelCommand({ name: `r${round}-w${w}-${i}` }));
            created.set(out.channel?.arn ?? "", out.streamKey?.arn ?? "");
            deletable.push(out.channel?.arn ?? "");
            acknowledged++;
          } catch (error) {
            if (killed) return;
            throw error;
          }
          // Kill while the other workers' writes are in flight.
          if (acknowledged - roundStart >= 120 && !killing) {
            killed = true;
            killing = kill(emulator, "SIGKILL");
            return;
          }
          if (i % 2 === 1) {
            const victim = deletable.splice(Math.floor(deletable.length / 2), 1)[0];
            if (!victim) continue;
            unsure.add(victim);
            try {
              await ivs.send(new DeleteChannelCommand({ arn: victim }));
            } catch (error) {
              if (killed) return;
              throw error;
            }
            unsure.delete(victim);
            deleted.set(victim, created.get(victim) ?? "");
            created.delete(victim);
            acknowledged++;
          }
        }
      };
      await Promise.all(Array.from({ length: 12 }, (_, w) => worker(w)));
      await killing;
      ivs.destroy();
      for (const arn of unsure) {
        created.delete(arn);
        deleted.delete(arn);
      }
    }
    expect(created.size).toBeGreaterThan(100);
    expect(deleted.size).toBeGreaterThan(50);

    // A clean stop folds the log into the state file; the next start reads it back.
    const last = await start(file);
    const ivs = client(last.url);
    await check(ivs, created, deleted);
    await kill(last, "SIGTERM");
    const again = await start(file);
    const ivs2 = client(again.url);
    await check(ivs2, created, deleted);
    await kill(again, "SIGTERM");
    ivs.destroy();
    ivs2.destroy();
  }, 60_000);

  it("drops a torn last log line, says so once, and keeps every record before it in order", async () => {
    const file = stateFile();
    const first = await start(file);
    const ivs = client(first.url);
    const arns: Record<string, string> = {};
    for (const name of ["a", "b", "c"])
      arns[name] = (await ivs.send(new CreateChannelCommand({ name }))).channel?.arn ?? "";
    await ivs.send(new DeleteChannelCommand({ arn: arns.b }));
    await ivs.send(new CreateChannelCommand({ name: "d" }));
    ivs.destroy();
    await kill(first, "SIGKILL");
    // What a crash in the middle of an append leaves: a line without its end.
    appendFileSync(`${file}.wal`, '{"seq":99,"del":[],"put":[["channels","arn:aws:ivs:us-west-2:1234');

    const second = await start(file);
    const ivs2 = client(second.url);
    expect((await listChannels(ivs2)).map((c) => c.name)).toEqual(["a", "c", "d"]);
    expect((await listChannels(ivs2, 1)).map((c) => c.name)).toEqual(["a", "c", "d"]);
    const notices = second
      .stderr()
      .split("\n")
      .filter((l) => l.includes("incomplete last record"));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`${file}.wal`);
    expect(notices[0]).toMatch(/at byte \d+ \(line 6\)/);
    // Writes after the torn tail are not glued to it: they survive the next crash.
    await ivs2.send(new CreateChannelCommand({ name: "e" }));
    ivs2.destroy();
    await kill(second, "SIGKILL");
    const third = await start(file);
    const ivs3 = client(third.url);
    expect((await listChannels(ivs3)).map((c) => c.name)).toEqual(["a", "c", "d", "e"]);
    expect(third.stderr()).not.toContain("incomplete last record");
    ivs3.destroy();
    await kill(third, "SIGTERM");
  }, 30_000);

  it("reports a corrupt state file by path and position, without any of its contents, and exits non-zero", async () => {
    const file = stateFile();
    const secret = "sk_us-west-2_DurabilityTestSecretValue42";
    const lines = [
      '{"version":1,"seq":2,"order":{"arn:aws:ivs:us-west-2:123456789012:stream-key/AbCdEf123456":2},',
      `"streamKeys":[{"arn":"arn:aws:ivs:us-west-2:123456789012:stream-key/AbCdEf123456","value":"${secret}",`,
      '"channelArn":"arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf123456","tags":{}}],',
      "garbage where the rest of the file should be",
    ];
    writeFileSync(file, lines.join("\n"));
    const { child, stderr, stdout } = run(file);
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const err = stderr();
    expect(err).toContain(file);
    const garbageAt = Buffer.byteLength(`${lines.slice(0, 3).join("\n")}\n`);
    expect(err).toContain(`not valid JSON at byte ${garbageAt} (line 4, column 1)`);
    expect(err).not.toContain(secret);
    expect(err).not.toContain("AbCdEf123456");
    for (const line of lines) expect(err).not.toContain(line.slice(0, 30));
    expect(err).not.toContain("garbage");
    expect(stdout()).not.toContain(secret);
  }, 30_000);
});

async function check(ivs: IvsClient, created: Map<string, string>, deleted: Map<string, string>) {
  const present = new Set((await listChannels(ivs)).map((c) => c.arn));
  const lost = [...created.keys()].filter((arn) => !present.has(arn));
  const back = [...deleted.keys()].filter((arn) => present.has(arn));
  expect({ lostCreates: lost.length, deletesBack: back.length }).toEqual({ lostCreates: 0, deletesBack: 0 });
  const keys = await existingKeys(ivs, [...created.values(), ...deleted.values()].filter(Boolean));
  expect([...created.values()].filter((k) => !keys.has(k))).toEqual([]);
  expect([...deleted.values()].filter((k) => keys.has(k))).toEqual([]);
}
