import { afterAll, describe, expect, it } from "vitest";
import { JobRunner, type JobRunnerOptions } from "../../src/jobs/runner.ts";
import { type JobStore, memoryJobStore } from "../../src/jobs/store.ts";
import type { JobHeader } from "../../src/jobs/types.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the runner's scan for jobs a stopped replica left", () => {
  const runners: JobRunner[] = [];
  // Ends the runs held on their inputs, so that stop() (which waits for them) returns.
  const releases: (() => void)[] = [];
  afterAll(async () => {
    for (const release of releases) release();
    for (const runner of runners) await runner.stop();
  });

  it("launches a left job once, even when the store answers slower than the scan period", async () => {
    // The real in-memory store, with a lease that takes 60 ms (a loaded Redis) and a run that stays on the
    // job's inputs: the job remains running here while later scans come round every 10 ms.
    const memory = memoryJobStore();
    let launches = 0;
    const store: JobStore = {
      ...memory,
      lease: async (...args) => {
        await sleep(60);
        return memory.lease(...args);
      },
      inputs: async () => {
        launches++;
        return new Promise<undefined>((resolve) => releases.push(() => resolve(undefined)));
      },
    };
    const header: JobHeader = {
      id: "job-1",
      kind: "CREATE_CHANNELS",
      owner: { id: "someone", kind: "dev", scopes: [] },
      requestId: "r-1",
      state: "RUNNING",
      total: 1,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      createdAt: Date.now(),
      updatedAt: Date.now(),
      cancelRequested: false,
    };
    await memory.create(header, [{ name: "c" }]);
    // The scan reaches neither IVS nor the mirror before a job's inputs are read: nothing else is needed.
    const runner = new JobRunner({ store, scanMs: 10 } as unknown as JobRunnerOptions);
    runners.push(runner);
    runner.start();
    await sleep(500);
    expect(launches).toBe(1);
  });
});
