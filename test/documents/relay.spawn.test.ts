import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Client as WsClient } from "graphql-ws";
import {
  type ConcreteRequest,
  Environment,
  type FetchFunction,
  fetchQuery,
  type GraphQLResponse,
  getSelector,
  Network,
  Observable,
  type ReaderFragment,
  RecordSource,
  requestSubscription,
  Store,
  type SubscribeFunction,
} from "relay-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../../src/documents/manifest.ts";
import type { TestGateway } from "../frontends/gateway.ts";
import { post, startWithDocuments, wsClient } from "./gateway.ts";

/*
 * The README's worked example: a Relay app (test/documents/relay/app) compiled by relay-compiler with
 * `persistConfig` writing its documents to a file, its artifacts carrying only an id, run against a gateway
 * started with TRUSTED_DOCUMENTS=<that file> TRUSTED_DOCUMENTS_ONLY=true.
 */

const RELAY_DIR = join(dirname(fileURLToPath(import.meta.url)), "relay");
const GENERATED = join(RELAY_DIR, "__generated__");
const MANIFEST = join(GENERATED, "persisted_queries.json");
const COMPILER = join(RELAY_DIR, "..", "..", "..", "node_modules", ".bin", "relay-compiler");

let compile: { ok: boolean; output: string };
let DashboardQuery: ConcreteRequest;
let DashboardRow: ReaderFragment;
let LiveStatusSubscription: ConcreteRequest;
let gw: TestGateway;
let ws: WsClient | undefined;

async function artifact<T>(name: string): Promise<T> {
  const url = pathToFileURL(join(GENERATED, `${name}.graphql.ts`)).href;
  return ((await import(/* @vite-ignore */ url)) as { default: T }).default;
}

beforeAll(async () => {
  // Compiled here, not committed. relay-compiler adds to the persist file, which must exist: start from {}.
  rmSync(GENERATED, { recursive: true, force: true });
  mkdirSync(GENERATED, { recursive: true });
  writeFileSync(MANIFEST, "{}\n");
  const run = spawnSync(COMPILER, ["--noWatchman", "relay.config.json"], {
    cwd: RELAY_DIR,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  compile = { ok: run.status === 0, output: `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ?? ""}` };
  if (!compile.ok) return;
  DashboardQuery = await artifact("DashboardQuery");
  DashboardRow = await artifact("DashboardRow_channel");
  LiveStatusSubscription = await artifact("LiveStatusSubscription");
  gw = await startWithDocuments({ TRUSTED_DOCUMENTS: MANIFEST, TRUSTED_DOCUMENTS_ONLY: "true" });
}, 60_000);

afterAll(async () => {
  await ws?.dispose();
  await gw?.stop();
});

/** The README's network layer: the id alone over HTTP (doc_id) and over graphql-ws (documentId). */
function relayEnvironment(): { environment: Environment; sent: unknown[] } {
  const sent: unknown[] = [];
  const fetchFn: FetchFunction = async (params, variables) => {
    const body = { doc_id: params.id, variables };
    sent.push(body);
    const res = await fetch(gw.endpoint, {
      method: "POST",
      headers: { ...gw.authHeaders, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return (await res.json()) as GraphQLResponse;
  };
  ws ??= wsClient(gw);
  const client = ws;
  const subscribeFn: SubscribeFunction = (params, variables) =>
    Observable.create<GraphQLResponse>((sink) =>
      client.subscribe(
        { query: "", documentId: params.id, variables } as never,
        sink as Parameters<WsClient["subscribe"]>[1],
      ),
    );
  const environment = new Environment({
    network: Network.create(fetchFn, subscribeFn),
    store: new Store(new RecordSource()),
  });
  return { environment, sent };
}

describe("relay-compiler with persistConfig", () => {
  it("compiles, and writes every operation to the persist file under the SHA-256 of its text", () => {
    expect(compile.ok, compile.output).toBe(true);
    const manifest = JSON.parse(readFileSync(MANIFEST, "utf8")) as Record<string, string>;
    expect(Object.keys(manifest)).toHaveLength(2);
    for (const [id, text] of Object.entries(manifest)) expect(sha256(text)).toBe(id);
    expect(manifest[DashboardQuery.params.id ?? ""]).toMatch(/^query DashboardQuery\(/);
    expect(manifest[LiveStatusSubscription.params.id ?? ""]).toMatch(
      /^subscription LiveStatusSubscription\(/,
    );
  });

  it("leaves no document text in the artifacts: only params.id", () => {
    expect(DashboardQuery.params.id).toMatch(/^[0-9a-f]{64}$/);
    expect(DashboardQuery.params.text).toBeNull();
    expect(LiveStatusSubscription.params.text).toBeNull();
  });
});

describe("the Relay app against a gateway in only-mode", () => {
  it("loads the dashboard by doc_id: every demo channel with its stream key", async () => {
    const { environment, sent } = relayEnvironment();
    const data = (await fetchQuery(environment, DashboardQuery, { first: 50 }).toPromise()) as {
      channels: { edges: { node: unknown }[] };
    };
    expect(sent).toEqual([{ doc_id: DashboardQuery.params.id, variables: { first: 50 } }]);
    const rows = data.channels.edges.map((edge) => {
      const selector = getSelector(DashboardRow, edge.node);
      if (selector?.kind !== "SingularReaderSelector") throw new Error("not a fragment reference");
      return environment.lookup(selector).data as {
        arn: string;
        name: string;
        streamKeys: { arn: string }[];
      };
    });
    const byName = new Map(rows.map((row) => [row.name, row]));
    for (const [name, arn] of Object.entries(gw.demoChannels)) {
      expect(byName.get(name)?.arn, name).toBe(arn);
      expect(byName.get(name)?.streamKeys).toHaveLength(1);
    }
  });

  it("subscribes to live status by id over graphql-ws", async () => {
    const { environment } = relayEnvironment();
    const arn = gw.demoChannels["demo-live"];
    const first = await new Promise<unknown>((resolve, reject) => {
      const subscription = requestSubscription(environment, {
        subscription: LiveStatusSubscription,
        variables: { arns: [arn] },
        onNext: (response) => {
          subscription.dispose();
          resolve(response);
        },
        onError: reject,
      });
    });
    expect(first).toEqual({ channelLiveStatus: { channelArn: arn, status: "LIVE", isLive: true } });
  });

  it("runs the query sent as its exact text, refuses it with one field more", async () => {
    const manifest = JSON.parse(readFileSync(MANIFEST, "utf8")) as Record<string, string>;
    const text = manifest[DashboardQuery.params.id ?? ""] ?? "";
    const edited = text.replace(/\n(\s*)isLive\n/, "\n$1isLive\n$1playbackUrl\n");
    expect(edited).not.toBe(text);
    expect((await post(gw, { query: text, variables: { first: 50 } })).status).toBe(200);
    const { status, body } = await post(gw, { query: edited, variables: { first: 50 } });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/TRUSTED_DOCUMENTS_ONLY/);
  });
});
