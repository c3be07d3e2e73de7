import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { IvsClient, paginateListChannels } from "@aws-sdk/client-ivs";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../emulator/index.ts";
import { JOB_TAG } from "../../src/jobs/types.ts";
import { type RunningGateway, startGateway } from "../budget/harness.ts";
import { GATEWAY_PROGRAM } from "../support/programs.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const PREFIX = `jobs-${randomUUID()}:`;

/** A replica as `npm start` runs it, in its own process, so that it can be killed outright. */
function startReplica(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...GATEWAY_PROGRAM], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave a replica running behind a failed test.
      child.kill("SIGKILL");
      reject(new Error(`replica did not start: ${out}`));
    }, 20_000);
    child.stdout?.on("data", (d) => {
      out += String(d);
      // Not embedded: stdout is JSON lines only, the URL in the "gateway listening" line.
      const url = /"url":"(http:\/\/[^"]+)","backend":"endpoint","msg":"gateway listening"/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.stderr?.on("data", (d) => {
      out += String(d);
    });
    child.on("exit", (code) => reject(new Error(`replica exited ${code}: ${out}`)));
  });
}

describe("a replica killed in the middle of a job", () => {
  let emulator: Emulator;
  let direct: IvsClient;
  let other: RunningGateway;
  let killed: ChildProcess | undefined;
  const redis = new Redis(REDIS_URL);
  const env = {
    IVS_ANONYMOUS: "true",
    AUTH_DISABLED: "true",
    REDIS_URL,
    REDIS_KEY_PREFIX: PREFIX,
    RATE_LIMIT_PER_MINUTE: "0",
    LOG_LEVEL: "warn",
    // The other replica takes over 2 s after the kill instead of the default 10 s.
    JOB_LEASE_MS: "2000",
  };

  beforeAll(async () => {
    // IVS's real quotas: CreateChannel at 5 per second, shared by both replicas through Redis.
    emulator = createEmulator({ port: 0 });
    await emulator.start();
    direct = new IvsClient({
      region: "us-west-2",
      endpoint: emulator.url,
      credentials: { accessKeyId: "t", secretAccessKey: "t" },
    });
    other = await startGateway({ ...env, IVS_ENDPOINT: emulator.url }, {}, { scanMs: 300 });
  }, 30_000);
  afterAll(async () => {
    killed?.kill("SIGKILL");
    await other?.stop();
    direct?.destroy();
    await emulator?.stop();
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("is resumed by another replica: every item made once, the counts exact", async () => {
    // At info: its "gateway listening" line tells the URL.
    const replica = await startReplica({ ...env, PORT: "0", IVS_ENDPOINT: emulator.url, LOG_LEVEL: "info" });
    killed = replica.child;
    const channels = Array.from({ length: 30 }, (_, i) => ({ name: `resume-${i}` }));
    const res = await fetch(`${replica.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `mutation ($channels: [CreateChannelInput!]!) {
          createChannels(input: { channels: $channels }) { ... on JobPayload { job { id } } } }`,
        variables: { channels },
      }),
    });
    const id = ((await res.json()) as { data: { createChannels: { job: { id: string } } } }).data
      .createChannels.job.id;
    // Kill it once some items are done and others in flight: no drain, no lease given up.
    await expect
      .poll(async () => (await other.gateway.jobs.store.header(id))?.succeeded ?? 0, {
        timeout: 15_000,
        interval: 50,
      })
      .toBeGreaterThanOrEqual(8);
    replica.child.kill("SIGKILL");
    const atKill = await other.gateway.jobs.store.header(id);
    expect(atKill?.state).toBe("RUNNING");
    expect(atKill?.succeeded).toBeLessThan(30);
    // Items were in flight: sent or about to be, outcome unknown. Resuming must settle them, not guess.
    const inFlight = [...(await other.gateway.jobs.store.results(id)).values()].filter(
      (r) => r.state === "RUNNING",
    );
    expect(inFlight.length).toBeGreaterThan(0);

    // The other replica resumes it once the lease lapses, and finishes it.
    const done = await other.gateway.jobs.finished(id);
    expect(done).toMatchObject({ state: "COMPLETED", total: 30, succeeded: 30, failed: 0, cancelled: 0 });
    const made = new Map<string, string[]>();
    for await (const page of paginateListChannels({ client: direct }, {}))
      for (const c of page.channels ?? []) {
        const tag = c.tags?.[JOB_TAG];
        if (tag?.startsWith(`${id}/`)) made.set(tag, [...(made.get(tag) ?? []), c.arn as string]);
      }
    // One channel per item, none twice: the calls in flight at the kill were found, not repeated.
    expect(made.size).toBe(30);
    expect([...made.values()].filter((arns) => arns.length !== 1)).toEqual([]);
    const results = await other.gateway.jobs.store.results(id);
    for (let i = 0; i < 30; i++) expect(results.get(i)?.arn).toBe(made.get(`${id}/${i}`)?.[0]);
  }, 90_000);
});
