/**
 * Bulk creates against IVS's real CreateChannel quota (5 per second), side by side in one run:
 * - job: one `createChannels` job of N items (the gateway paces and retries);
 * - bare: the same N `createChannel` mutations sent at once, as a client without a job would.
 * Each on a fresh embedded emulator, so that both start from an empty account with full buckets.
 */
import { loadConfig } from "../src/config/gateway.ts";
import { createLogger } from "../src/logger.ts";
import { buildGateway } from "../src/server.ts";
import { fmt } from "./lib.ts";

export interface JobsResult {
  mode: "job" | "bare";
  items: number;
  created: number;
  throttled: number;
  otherErrors: number;
  seconds: number;
  /** N / 5: the quota's own floor. */
  floorSeconds: number;
  ivsCalls: number;
  ivs429: number;
}

const QUOTA_RATE = 5;

export async function runJobsBench(mode: JobsResult["mode"], items: number): Promise<JobsResult> {
  const gateway = buildGateway(
    loadConfig({
      PORT: "0",
      EMULATOR_PORT: "0",
      SEED_DEMO_DATA: "false",
      LOG_LEVEL: "silent",
      RATE_LIMIT_PER_MINUTE: "0",
    }),
    { logger: createLogger({ level: "silent" }) },
  );
  await gateway.start();
  const post = async (query: string, variables: unknown) => {
    const res = await fetch(`${gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gateway.devToken}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: Record<string, { __typename?: string; job?: { id: string } }> };
  };
  try {
    const inputs = Array.from({ length: items }, (_, i) => ({ name: `bench-${i}` }));
    const started = performance.now();
    let created = 0;
    let throttled = 0;
    let otherErrors = 0;
    if (mode === "job") {
      const res = await post(
        `mutation ($c: [CreateChannelInput!]!) { createChannels(input: { channels: $c }) { ... on JobPayload { job { id } } } }`,
        { c: inputs },
      );
      const done = await gateway.jobs.finished(res.data?.createChannels?.job?.id as string, 200);
      created = done.succeeded;
      const results = await gateway.jobs.store.results(done.id);
      for (const r of results.values())
        if (r.error?.type === "ThrottledError") throttled += 1;
        else if (r.state === "FAILED") otherErrors += 1;
    } else {
      const answers = await Promise.all(
        inputs.map((input) =>
          post(`mutation ($i: CreateChannelInput!) { createChannel(input: $i) { __typename } }`, {
            i: input,
          }),
        ),
      );
      for (const a of answers) {
        const type = a.data?.createChannel?.__typename;
        if (type === "CreateChannelPayload") created += 1;
        else if (type === "ThrottledError") throttled += 1;
        else otherErrors += 1;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const counts = (await (await fetch(`${gateway.emulatorUrl}/_emulator/requests`)).json()) as {
      operations: Record<string, { total: number; byStatus: Record<string, number> }>;
    };
    const op = counts.operations.CreateChannel;
    return {
      mode,
      items,
      created,
      throttled,
      otherErrors,
      seconds,
      floorSeconds: items / QUOTA_RATE,
      ivsCalls: op?.total ?? 0,
      ivs429: op?.byStatus["429"] ?? 0,
    };
  } finally {
    await gateway.stop();
  }
}

export function printJobsResults(results: JobsResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.mode === "job" ? "one createChannels job" : "concurrent createChannel"} | ${r.items} | ${r.created} | ${r.throttled} | ${r.otherErrors} | ${fmt(r.seconds)} | ${fmt(r.floorSeconds)} | ${fmt(r.seconds / r.floorSeconds, 2)} | ${r.ivsCalls} | ${r.ivs429} |`,
  );
  return [
    "| client | items | created | THROTTLED | other errors | seconds | quota floor (N/5) s | × floor | CreateChannel calls | IVS 429 |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
