import {
  CreateChannelCommand,
  type IvsClient,
  ListStreamKeysCommand,
  paginateListChannels,
} from "@aws-sdk/client-ivs";
import { createClient } from "graphql-ws";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { JOB_TAG } from "../../src/jobs/types.ts";
import { callsOf, useGateway } from "../budget/harness.ts";
import { collect } from "../live/harness.ts";

type Job = {
  id: string;
  state: string;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  pending: number;
};
const JOB_FIELDS = "id state total succeeded failed cancelled pending";
const CREATE = `mutation ($channels: [CreateChannelInput!]!) {
  createChannels(input: { channels: $channels }) { __typename ... on JobPayload { job { ${JOB_FIELDS} } } ... on Error { message } } }`;
const ITEMS = `query ($id: String!) { job(id: $id) { ${JOB_FIELDS}
  items(first: 1000) { edges { node { index state resourceArn attempts error { type message } } } } } }`;
type Items = {
  job: Job & {
    items: {
      edges: {
        node: {
          index: number;
          state: string;
          resourceArn: string | null;
          attempts: number;
          error: { type: string; message: string } | null;
        };
      }[];
    };
  };
};

/** Channels of the account carrying the job's tag, by item. */
async function taggedChannels(ivs: IvsClient, jobId: string): Promise<Map<string, string[]>> {
  const byItem = new Map<string, string[]>();
  for await (const page of paginateListChannels({ client: ivs }, {}))
    for (const c of page.channels ?? []) {
      const tag = c.tags?.[JOB_TAG];
      if (!tag?.startsWith(`${jobId}/`)) continue;
      byItem.set(tag, [...(byItem.get(tag) ?? []), c.arn as string]);
    }
  return byItem;
}

/**
 * CreateChannel's quota raised tenfold on both sides, emulator and budget: 200 creates at the real 5 per
 * second would hold the suite for 40 s to show the same pacing. Bulk creates at the real quota are measured
 * by `npm run bench -- jobs` (bench/jobs.ts); the other tests below run at IVS's real quotas.
 */
const FAST_CREATE_TPS = 50;

describe("a bulk job at a raised CreateChannel quota", () => {
  const h = useGateway(
    { IVS_RATES: JSON.stringify({ CreateChannel: FAST_CREATE_TPS }) },
    { quotas: { rates: { CreateChannel: FAST_CREATE_TPS } } },
  );

  it("create 200 channels: all made, none THROTTLED, progress pushed over the subscription", async () => {
    await h.resetCounts();
    const channels = Array.from({ length: 200 }, (_, i) => ({
      name: `bulk-${i}`,
      tags: [{ key: "batch", value: "a" }],
    }));
    const started = Date.now();
    const res = await h.gql<{ createChannels: { job: Job } }>(CREATE, { channels });
    expect(res.errors).toBeUndefined();
    const submitted = res.data?.createChannels.job as Job;
    // Answered at once: the job runs after the answer.
    expect(submitted).toMatchObject({ state: "RUNNING", total: 200 });
    expect(Date.now() - started).toBeLessThan(2000);

    const ws = createClient({
      url: `${h.gateway.url.replace("http", "ws")}/graphql`,
      connectionParams: h.authHeaders,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    try {
      const progress = collect<{ jobProgress: Job }>(
        ws,
        `subscription ($id: String!) { jobProgress(id: $id) { ${JOB_FIELDS} } }`,
        { id: submitted.id },
      );
      await progress.until((items) => items.some((i) => i.jobProgress.state !== "RUNNING"), 110_000);
      await expect.poll(() => progress.done, { timeout: 2000 }).toBe(true);
      const seen = progress.items.map((i) => i.jobProgress);
      // Many updates, counts never going back, the last one final.
      expect(seen.length).toBeGreaterThan(10);
      for (let i = 1; i < seen.length; i++)
        expect(seen[i]?.succeeded).toBeGreaterThanOrEqual(seen[i - 1]?.succeeded ?? 0);
      expect(seen.at(-1)).toMatchObject({ state: "COMPLETED", succeeded: 200, failed: 0, pending: 0 });
    } finally {
      await ws.dispose();
    }
    const elapsed = (Date.now() - started) / 1000;
    const calls = callsOf(await h.counts(), "CreateChannel");
    expect(calls).toEqual({ total: 200, throttled: 0 });
    // Each item made exactly one channel, with the job's tag beside its own.
    const made = await taggedChannels(h.direct, submitted.id);
    expect(made.size).toBe(200);
    expect([...made.values()].every((arns) => arns.length === 1)).toBe(true);
    const items = await h.gql<Items>(ITEMS, { id: submitted.id });
    const arns = items.data?.job.items.edges.map((e) => e.node.resourceArn);
    expect(new Set(arns).size).toBe(200);
    expect(arns?.every((arn, i) => made.get(`${submitted.id}/${i}`)?.[0] === arn)).toBe(true);
    // Paced, not merely lucky: 200 calls at the quota cannot take less than 200 / TPS seconds, minus the
    // one-second burst the emulator's bucket holds.
    expect(elapsed).toBeGreaterThanOrEqual(200 / FAST_CREATE_TPS - 1);
    console.info(`200 creates in ${elapsed.toFixed(1)} s (quota minimum ${200 / FAST_CREATE_TPS} s)`);
  }, 60_000);
});

describe("bulk jobs at IVS's real quotas", () => {
  // The embedded emulator with its real quotas: CreateChannel at 5 per second.
  const h = useGateway();

  it("gives each item its own typed outcome: a missing or malformed channel fails alone", async () => {
    const { channel } = await h.arrange(() => h.direct.send(new CreateChannelCommand({ name: "doomed" })));
    const missing = String(channel?.arn).replace(/\/\w+$/, "/AAAAAAAAAAAA");
    const res = await h.gql<{ deleteChannels: { job: Job } }>(
      `mutation ($arns: [String!]!) { deleteChannels(input: { arns: $arns }) { ... on JobPayload { job { id } } } }`,
      { arns: [channel?.arn, missing, "not-an-arn"] },
    );
    const id = res.data?.deleteChannels.job.id as string;
    await h.gateway.jobs.finished(id);
    const items = await h.gql<Items>(ITEMS, { id });
    expect(items.data?.job).toMatchObject({ state: "COMPLETED", succeeded: 1, failed: 2 });
    expect(items.data?.job.items.edges.map((e) => [e.node.state, e.node.error?.type ?? null])).toEqual([
      ["SUCCEEDED", null],
      ["FAILED", "NotFoundError"],
      ["FAILED", "ValidationError"],
    ]);
    // Each item is in the audit trail once, at its outcome, with the job and the IVS call it made.
    type Audit = {
      auditEvents: {
        edges: {
          node: {
            operation: string;
            outcome: string;
            principal: string;
            job: { id: string; item: number } | null;
            ivsOperations: { operation: string; requestId: string | null }[];
          };
        }[];
      };
    };
    const audit = await h.gql<Audit>(
      `query ($arn: String) { auditEvents(first: 100, filter: { resourceArn: $arn }) { edges { node {
        operation outcome principal job { id item } ivsOperations { operation requestId } } } } }`,
      { arn: channel?.arn },
    );
    const records = audit.data?.auditEvents.edges.map((e) => e.node).filter((n) => n.job?.id === id);
    expect(records).toEqual([
      expect.objectContaining({
        operation: "deleteChannel",
        outcome: "OK",
        principal: "jwt:developer",
        job: { id, item: 0 },
      }),
    ]);
    expect(records?.[0]?.ivsOperations.map((c) => c.operation)).toContain("DeleteChannel");
    expect(records?.[0]?.ivsOperations.every((c) => c.requestId)).toBe(true);
    const missed = await h.gql<Audit>(
      `query ($arn: String) { auditEvents(first: 100, filter: { resourceArn: $arn }) { edges { node {
        operation outcome principal job { id item } ivsOperations { operation requestId } } } } }`,
      { arn: missing },
    );
    expect(missed.data?.auditEvents.edges.map((e) => [e.node.outcome, e.node.job])).toEqual([
      ["NotFoundError", { id, item: 1 }],
    ]);
  });

  it("tags resources and rotates stream keys in bulk", async () => {
    const arns: string[] = [];
    await h.arrange(async () => {
      for (let i = 0; i < 3; i++)
        arns.push(
          (await h.direct.send(new CreateChannelCommand({ name: `rot-${i}` }))).channel?.arn as string,
        );
    });
    const keysOf = (channelArn: string) =>
      h.arrange(
        async () => (await h.direct.send(new ListStreamKeysCommand({ channelArn }))).streamKeys ?? [],
      );
    const before: (string | undefined)[] = [];
    for (const channelArn of arns) before.push((await keysOf(channelArn))[0]?.arn);
    const tag = await h.gql<{ tagResources: { job: Job } }>(
      `mutation ($arns: [String!]!) { tagResources(input: { arns: $arns, tags: [{ key: "team", value: "live" }] }) { ... on JobPayload { job { id } } } }`,
      { arns },
    );
    const rotate = await h.gql<{ rotateStreamKeys: { job: Job } }>(
      `mutation ($arns: [String!]!) { rotateStreamKeys(input: { channelArns: $arns }) { ... on JobPayload { job { id } } } }`,
      { arns },
    );
    for (const id of [tag.data?.tagResources.job.id, rotate.data?.rotateStreamKeys.job.id])
      expect(await h.gateway.jobs.finished(id as string)).toMatchObject({ state: "COMPLETED", succeeded: 3 });
    for (const [i, channelArn] of arns.entries()) {
      const keys = await keysOf(channelArn);
      expect(keys).toHaveLength(1);
      expect(keys[0]?.arn).not.toBe(before[i]);
    }
    const page = await h.gql<{
      channels: { edges: { node: { arn: string; tags: { key: string; value: string }[] } }[] };
    }>(`{ channels(first: 100, filter: { name: "rot-0" }) { edges { node { arn tags { key value } } } } }`);
    expect(page.data?.channels.edges[0]?.node.tags).toContainEqual({ key: "team", value: "live" });
  }, 30_000);

  it("cancels: items not started are CANCELLED, the counts add up, and only the items made exist", async () => {
    const channels = Array.from({ length: 40 }, (_, i) => ({ name: `cancel-${i}` }));
    const id = (await h.gql<{ createChannels: { job: Job } }>(CREATE, { channels })).data?.createChannels.job
      .id as string;
    await expect
      .poll(async () => (await h.gateway.jobs.store.header(id))?.succeeded ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(3);
    const cancelled = await h.gql<{ cancelJob: { job: Job } }>(
      `mutation ($id: String!) { cancelJob(input: { id: $id }) { ... on JobPayload { job { ${JOB_FIELDS} } } } }`,
      { id },
    );
    expect(cancelled.errors).toBeUndefined();
    const done = await h.gateway.jobs.finished(id);
    expect(done.state).toBe("CANCELLED");
    expect(done.succeeded + done.failed + done.cancelled).toBe(40);
    expect(done.cancelled).toBeGreaterThan(0);
    const made = await taggedChannels(h.direct, id);
    expect(made.size).toBe(done.succeeded);
  }, 30_000);

  it("refuses an empty job or one of more than 1,000 items, with no IVS call", async () => {
    for (const channels of [[], Array.from({ length: 1001 }, () => ({}))]) {
      const res = await h.gql<{ createChannels: { __typename: string; message: string } }>(CREATE, {
        channels,
      });
      expect(res.data?.createChannels.__typename).toBe("ValidationError");
    }
  });
});
