/**
 * Live-event fan-out benchmark (issue 4): N concurrent graphql-ws subscribers on one gateway (and split
 * over two replicas sharing Redis), IVS events POSTed to /events at a steady rate, latency from ingest
 * to receipt, deliveries counted against what was expected, gateway memory per subscriber.
 */
import { randomUUID } from "node:crypto";
import { CreateChannelCommand, IvsClient } from "@aws-sdk/client-ivs";
import { type Client, createClient } from "graphql-ws";
import { SignJWT } from "jose";
import WebSocket from "ws";
import { fmt, type GatewayProcess, percentile, sleep, startGatewayProcess } from "./lib.ts";

const KEY = "bench-ingest-key-0123456789";
const JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";
/**
 * Every replica verifies the same JWTs; one principal stands in for thousands of users, so no per-principal
 * rate limit or caps: this measures fan-out, not the caps (test/security/caps.test.ts does).
 */
const AUTH_ENV = {
  AUTH_JWT_SECRET: JWT_SECRET,
  AUTH_ISSUER: "bench",
  AUTH_AUDIENCE: "ivs-gateway",
  RATE_LIMIT_PER_MINUTE: "0",
  MAX_SUBSCRIPTIONS_PER_PRINCIPAL: "1000000",
  MAX_CONNECTIONS_PER_PRINCIPAL: "1000000",
};

function benchToken(): Promise<string> {
  return new SignJWT({ scope: "ivs:read ivs:write" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("bench")
    .setIssuer("bench")
    .setAudience("ivs-gateway")
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(JWT_SECRET));
}
/** Channels the subscribers watch; created at IVS's 5 TPS CreateChannel quota, which the emulator enforces. */
const CHANNELS = 20;

export interface LiveBenchResult {
  label: string;
  subscribers: number;
  replicas: number;
  events: number;
  expected: number;
  delivered: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  rssPerSubscriberKiB: number;
  heapPerSubscriberKiB: number;
  setupSeconds: number;
  /** Subscriptions that failed to start or ended with an error. */
  subscriptionErrors: number;
}

async function createChannels(emulatorUrl: string): Promise<string[]> {
  const ivs = new IvsClient({
    region: "us-west-2",
    endpoint: emulatorUrl,
    credentials: { accessKeyId: "b", secretAccessKey: "b" },
  });
  const arns: string[] = [];
  for (let i = 0; i < CHANNELS; i++) {
    const out = await ivs.send(new CreateChannelCommand({ name: `bench-${i}` }));
    arns.push(out.channel?.arn as string);
    await sleep(220);
  }
  ivs.destroy();
  return arns;
}

function healthEvent(channelArn: string, i: number) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "IVS Stream Health Change",
    source: "aws.ivs",
    account: "123456789012",
    time: new Date().toISOString(),
    region: "us-west-2",
    resources: [channelArn],
    detail: {
      event_name: i % 2 ? "Starvation End" : "Starvation Start",
      channel_name: "",
      stream_id: "st-bench000000000000000000",
    },
  };
}

export async function runLiveBench(
  subscribers: number,
  replicas: 1 | 2,
  eventsPerSecond = 50,
  seconds = 10,
): Promise<LiveBenchResult> {
  const env: Record<string, string> = {
    ...AUTH_ENV,
    EVENTS_API_KEY: KEY,
    SEED_DEMO_DATA: "false",
    RECONCILE_INTERVAL_MS: "3600000",
  };
  const token = await benchToken();
  const gateways: GatewayProcess[] = [];
  if (replicas === 2) {
    const shared = {
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      REDIS_KEY_PREFIX: `bench-${randomUUID()}:`,
    };
    const first = await startGatewayProcess({ ...env, ...shared });
    gateways.push(first);
    // The second replica talks to the same IVS: the first one's embedded emulator.
    gateways.push(
      await startGatewayProcess({
        ...env,
        ...shared,
        IVS_ENDPOINT: first.emulatorUrl as string,
        AWS_ACCESS_KEY_ID: "bench",
        AWS_SECRET_ACCESS_KEY: "bench",
      }),
    );
  } else {
    gateways.push(await startGatewayProcess(env));
  }
  const [primary] = gateways as [GatewayProcess];
  const arns = await createChannels(primary.emulatorUrl as string);
  const heapBefore = await Promise.all(gateways.map((g) => g.metric("nodejs_heap_size_used_bytes")));
  const rssBefore = await Promise.all(gateways.map((g) => g.metric("process_resident_memory_bytes")));

  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  let subscriptionErrors = 0;
  const perChannel = new Map<string, number>();
  const clients: Client[] = [];
  const setupStart = performance.now();
  // One WebSocket per subscriber, as one browser tab each; spread evenly over the replicas.
  const SOCKETS = subscribers;
  for (let s = 0; s < SOCKETS; s++) {
    const g = gateways[s % gateways.length] as GatewayProcess;
    clients.push(
      createClient({
        url: `${g.url.replace("http", "ws")}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        connectionParams: { authorization: `Bearer ${token}` },
      }),
    );
    if (s % 200 === 199) await sleep(50);
  }
  let ready = 0;
  for (let i = 0; i < subscribers; i++) {
    const arn = arns[i % CHANNELS] as string;
    perChannel.set(arn, (perChannel.get(arn) ?? 0) + 1);
    const client = clients[i % SOCKETS] as Client;
    client.subscribe<{ streamEvents: { eventId: string } }>(
      {
        query: `subscription ($a: [String!]) { streamEvents(filter: { channelArns: $a }) { ... on IvsEventFields { eventId } } }`,
        variables: { a: [arn] },
      },
      {
        next: (r) => {
          if (r.errors) subscriptionErrors += 1;
          const id = r.data?.streamEvents.eventId;
          const t = id ? sentAt.get(id) : undefined;
          if (t !== undefined) latencies.push(performance.now() - t);
          delivered += 1;
        },
        error: () => {
          subscriptionErrors += 1;
        },
        complete: () => {},
      },
    );
    ready += 1;
    if (i % 500 === 499) await sleep(20);
  }
  // Subscriptions are registered when their first message is processed; wait until all are.
  const waitStart = performance.now();
  while (performance.now() - waitStart < 60_000) {
    const counts = await Promise.all(gateways.map((g) => g.metric('subscribers{kind="events"}')));
    if (counts.reduce((a, b) => a + b, 0) + subscriptionErrors >= ready) break;
    await sleep(200);
  }
  const setupSeconds = (performance.now() - setupStart) / 1000;
  const heapAfter = await Promise.all(gateways.map((g) => g.metric("nodejs_heap_size_used_bytes")));
  const rssAfter = await Promise.all(gateways.map((g) => g.metric("process_resident_memory_bytes")));

  // Steady ingest, always to the first replica (as one EventBridge API destination would).
  const total = eventsPerSecond * seconds;
  let expected = 0;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / eventsPerSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const arn = arns[i % CHANNELS] as string;
    const event = healthEvent(arn, Math.floor(i / CHANNELS));
    sentAt.set(event.id, performance.now());
    expected += perChannel.get(arn) ?? 0;
    const res = await fetch(`${primary.url}/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEY },
      body: JSON.stringify(event),
    });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
  }
  const drainStart = performance.now();
  while (delivered < expected && performance.now() - drainStart < 15_000) await sleep(50);

  for (const c of clients) await c.dispose();
  for (const g of gateways) await g.stop();
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    label: `${subscribers} subscribers, ${replicas} replica${replicas > 1 ? "s" : ""}`,
    subscribers,
    replicas,
    events: total,
    expected,
    delivered,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
    rssPerSubscriberKiB: (sum(rssAfter) - sum(rssBefore)) / subscribers / 1024,
    heapPerSubscriberKiB: (sum(heapAfter) - sum(heapBefore)) / subscribers / 1024,
    setupSeconds,
    subscriptionErrors,
  };
}

export function printLiveResults(results: LiveBenchResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.label} | ${fmt(r.setupSeconds)} | ${r.subscriptionErrors} | ${r.events} | ${r.delivered}/${r.expected} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${fmt(r.heapPerSubscriberKiB, 2)} | ${fmt(r.rssPerSubscriberKiB, 2)} |`,
  );
  return [
    "| setup | subscribe s | failed subs | events sent | delivered/expected | p50 ms | p95 ms | p99 ms | max ms | heap KiB/sub | RSS KiB/sub |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
