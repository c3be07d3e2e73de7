import { type DocumentNode, Kind, type OperationDefinitionNode, parse, type SelectionSetNode } from "graphql";
import type { ConcreteRequest, Environment, ReaderFragment, ReaderInlineDataFragment } from "relay-runtime";
import { readInlineData } from "relay-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, startGateway, type TestGateway } from "./gateway.ts";
import {
  artifact,
  type CompileResult,
  compileRelayProject,
  createRelayApp,
  mutate,
  query,
  type RelayApp,
  readFragment,
} from "./relay/environment.ts";

/*
 * A Relay app (test/frontends/relay/app and relay/deleting, no React) compiled by relay-compiler against
 * schema.graphql, its operations run through relay-runtime against a gateway with default limits.
 */

type Ref = unknown;
interface Edge {
  node: { id: string } | null;
}
interface ChannelsConnection {
  __id: string;
  edges: Edge[];
}

const artifacts = {
  DashboardQuery: undefined as unknown as ConcreteRequest,
  Dashboard_query: undefined as unknown as ReaderFragment,
  ChannelRow_channel: undefined as unknown as ReaderFragment,
  ChannelRow_summary: undefined as unknown as ReaderInlineDataFragment,
  LiveBadge_channel: undefined as unknown as ReaderFragment,
  StreamKeyList_channel: undefined as unknown as ReaderFragment,
  StreamKeyItem_streamKey: undefined as unknown as ReaderFragment,
  RecordingBadge_recordingConfiguration: undefined as unknown as ReaderFragment,
  ChannelRowRefetchQuery: undefined as unknown as ConcreteRequest,
  ChannelPageQuery: undefined as unknown as ConcreteRequest,
  ChannelSessions_channel: undefined as unknown as ReaderFragment,
  SessionRow_session: undefined as unknown as ReaderFragment,
  CreateChannelMutation: undefined as unknown as ConcreteRequest,
};
let DeleteChannelMutation: ConcreteRequest | undefined;

const compiled: Record<string, CompileResult> = {};
let gw: TestGateway;

beforeAll(async () => {
  // Compiled here, not committed: the artifacts must match the schema.graphql of this checkout.
  for (const project of ["app", "deleting"]) compiled[project] = compileRelayProject(project);
  console.info(
    `relay-compiler: ${Object.values(compiled)
      .map((c) => `${c.project} ${c.ok ? "ok" : "FAILED"} in ${c.ms} ms`)
      .join(", ")}`,
  );
  if (compiled.app?.ok) {
    for (const name of Object.keys(artifacts) as (keyof typeof artifacts)[])
      artifacts[name] = await artifact("app", name);
  }
  if (compiled.deleting?.ok) DeleteChannelMutation = await artifact("deleting", "DeleteChannelMutation");
  gw = await startGateway();
}, 60_000);

afterAll(async () => {
  await gw?.stop();
});

/** No response had errors; a depth-limit refusal shows up here with its message. */
function expectNoErrors(app: RelayApp) {
  const failed = app.responses.filter((r) => r.status !== 200 || (r.body.errors?.length ?? 0) > 0);
  expect(
    failed.map((r) => `${r.operation}: HTTP ${r.status} ${JSON.stringify(r.body.errors)}`),
    "operations the gateway refused or answered with errors",
  ).toEqual([]);
}

function dashboardConnection(environment: Environment, root: Ref): ChannelsConnection {
  return readFragment<{ channels: ChannelsConnection }>(environment, artifacts.Dashboard_query, root)
    .channels;
}

interface ChannelRow {
  id: string;
  latencyMode: string;
  type: string;
  recordingConfiguration: Ref | null;
}

/** Renders one dashboard row the way its components would: every fragment read from the store. */
function renderRow(environment: Environment, channelRef: Ref) {
  const row = readFragment<ChannelRow & Record<string, unknown>>(
    environment,
    artifacts.ChannelRow_channel,
    channelRef,
  );
  const summary = readInlineData(artifacts.ChannelRow_summary, row as never) as { arn: string; name: string };
  const live = readFragment<{ isLive: boolean; stream: { health: string; viewerCount: number } | null }>(
    environment,
    artifacts.LiveBadge_channel,
    row,
  );
  const keys = readFragment<{ streamKeys: ({ id: string } & Record<string, unknown>)[] }>(
    environment,
    artifacts.StreamKeyList_channel,
    row,
  ).streamKeys.map((key) => ({
    id: key.id,
    ...readFragment<{ arn: string; channelArn: string }>(environment, artifacts.StreamKeyItem_streamKey, key),
  }));
  const recording = row.recordingConfiguration
    ? readFragment<{ name: string; state: string }>(
        environment,
        artifacts.RecordingBadge_recordingConfiguration,
        row.recordingConfiguration,
      )
    : null;
  return { id: row.id, latencyMode: row.latencyMode, type: row.type, ...summary, live, keys, recording };
}

function loadDashboard(app: RelayApp) {
  return query(app.environment, artifacts.DashboardQuery, { first: 50 });
}

/** Depth of the operation with fragments flattened (real field nesting), and counting each fragment as a level. */
function depths(text: string): { fields: number; withFragments: number } {
  const doc: DocumentNode = parse(text);
  const fragments = new Map(
    doc.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const walk = (set: SelectionSetNode | undefined, fragmentLevel: number): number => {
    let deepest = 0;
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) deepest = Math.max(deepest, 1 + walk(s.selectionSet, fragmentLevel));
      else if (s.kind === Kind.INLINE_FRAGMENT)
        deepest = Math.max(deepest, fragmentLevel + walk(s.selectionSet, fragmentLevel));
      else
        deepest = Math.max(
          deepest,
          fragmentLevel + walk(fragments.get(s.name.value)?.selectionSet, fragmentLevel),
        );
    }
    return deepest;
  };
  const operation = doc.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return { fields: walk(operation?.selectionSet, 0), withFragments: walk(operation?.selectionSet, 1) };
}

describe("relay-compiler", () => {
  it("compiles the app against schema.graphql", () => {
    expect(compiled.app?.ok, compiled.app?.output).toBe(true);
  });

  it("compiles the @deleteRecord mutation on DeleteChannelPayload.deletedId", () => {
    expect(compiled.deleting?.ok, compiled.deleting?.output).toBe(true);
  });

  it("nests fragments deeper than the fields they select (what the depth limit must not count)", () => {
    const dashboard = depths(artifacts.DashboardQuery.params.text ?? "");
    expect(dashboard.fields).toBeLessThanOrEqual(6);
    expect(dashboard.withFragments).toBeGreaterThan(6);
  });

  it("generates a node(id:) refetch query for the @refetchable Channel fragment", () => {
    const text = artifacts.ChannelRowRefetchQuery.params.text ?? "";
    expect(text).toMatch(/node\(id: \$id\)\s*\{[^}]*\.\.\.ChannelRow_channel/);
    expect(artifacts.ChannelRow_channel.metadata?.refetch).toMatchObject({ fragmentPathInResult: ["node"] });
  });
});

describe("the Relay app against the gateway (default limits, demo data)", () => {
  it("loads the dashboard: the seeded channels, each with its key, in a @connection", async () => {
    const app = createRelayApp(gw);
    const { data } = await loadDashboard(app);
    expectNoErrors(app);

    const connection = dashboardConnection(app.environment, data);
    expect(connection.__id).toMatch(/Dashboard_channels/);
    const rows = connection.edges.map((edge) => renderRow(app.environment, edge.node));
    const byName = new Map(rows.map((row) => [row.name, row]));
    for (const [name, arn] of Object.entries(gw.demoChannels)) {
      const row = byName.get(name);
      expect(row, `dashboard row for ${name}`).toBeDefined();
      expect(row?.arn).toBe(arn);
      expect(row?.keys).toHaveLength(1);
      expect(row?.keys[0]?.channelArn).toBe(arn);
      expect(row?.keys[0]?.arn).toMatch(/^arn:aws:ivs:[^:]+:\d{12}:stream-key\//);
      expect(row?.keys[0]?.id).toEqual(expect.any(String));
    }
    expect(byName.get("demo-recorded")?.recording).toEqual({ name: "demo-recordings", state: "ACTIVE" });
    expect(byName.get("demo-idle")?.recording).toBeNull();
    expect(byName.get("demo-idle")).toMatchObject({ latencyMode: "NORMAL", type: "BASIC" });
    for (const row of rows) expect(typeof row.live.isLive).toBe("boolean");
  });

  it("refetches a channel through the @refetchable fragment's node(id:) query", async () => {
    const app = createRelayApp(gw);
    const { data } = await loadDashboard(app);
    const edge = dashboardConnection(app.environment, data).edges.find(
      (e) => renderRow(app.environment, e.node).name === "demo-recorded",
    );
    const id = edge?.node?.id;
    expect(id).toEqual(expect.any(String));

    const refetched = await query(app.environment, artifacts.ChannelRowRefetchQuery, { id });
    expectNoErrors(app);
    const node = (refetched.data as { node: { __id: string } | null }).node;
    expect(node?.__id).toBe(id);
    expect(
      app.environment
        .getStore()
        .getSource()
        .get(id ?? "")?.__typename,
    ).toBe("Channel");
    const row = renderRow(app.environment, node);
    expect(row).toMatchObject({ id, name: "demo-recorded", arn: gw.demoChannels["demo-recorded"] });
    expect(row.keys).toHaveLength(1);
    expect(row.recording).toEqual({ name: "demo-recordings", state: "ACTIVE" });
  });

  it("pages a channel's sessions through its @connection", async () => {
    const app = createRelayApp(gw);
    const arn = gw.demoChannels["demo-recorded"];
    const { data } = await query(app.environment, artifacts.ChannelPageQuery, { arn });
    expectNoErrors(app);
    const channel = (data as { channel: ({ id: string } & Ref) | null }).channel;
    expect(readInlineData(artifacts.ChannelRow_summary, channel as never)).toEqual({
      arn,
      name: "demo-recorded",
    });
    const sessions = readFragment<{ sessions: ChannelsConnection }>(
      app.environment,
      artifacts.ChannelSessions_channel,
      channel,
    ).sessions;
    expect(sessions.__id).toMatch(/ChannelSessions_sessions/);
    const rows = sessions.edges.map((edge) =>
      readFragment<{
        streamId: string;
        startTime: string;
        endTime: string | null;
        recordingConfiguration: Ref;
      }>(app.environment, artifacts.SessionRow_session, edge.node),
    );
    // The seed broadcast twice on demo-recorded; the demo schedule may have added more since.
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row.streamId).toMatch(/^st-[A-Za-z0-9]{23}$/);
    expect(rows.filter((row) => row.endTime !== null).length).toBeGreaterThanOrEqual(2);
  });

  it("creates a channel and @appendNode adds it to the dashboard's connection in the store", async () => {
    const app = createRelayApp(gw);
    const { data } = await loadDashboard(app);
    const connection = dashboardConnection(app.environment, data);
    const before = connection.edges.length;

    const name = `relay-created-${Date.now()}`;
    const response = (await mutate(app.environment, artifacts.CreateChannelMutation, {
      input: { name, latencyMode: "NORMAL", type: "BASIC" },
      connections: [connection.__id],
    })) as {
      createChannel: {
        __typename: string;
        message?: string;
        channel?: { id: string };
        streamKey?: { id: string };
      };
    };
    expectNoErrors(app);
    expect(response.createChannel.__typename, response.createChannel.message).toBe("CreateChannelPayload");
    const id = response.createChannel.channel?.id;

    const after = dashboardConnection(app.environment, data);
    expect(after.edges).toHaveLength(before + 1);
    const appended = after.edges.at(-1);
    expect(appended?.node?.id).toBe(id);
    const row = renderRow(app.environment, appended?.node);
    expect(row).toMatchObject({ id, name, latencyMode: "NORMAL", type: "BASIC", recording: null });
    expect(row.keys).toHaveLength(1);
    expect(row.keys[0]?.id).toBe(response.createChannel.streamKey?.id);
    expect(row.keys[0]?.channelArn).toBe(row.arn);
  });

  it("deletes a channel: @deleteRecord removes its record, @deleteEdge its edge, no record is rewritten", async () => {
    expect(DeleteChannelMutation, compiled.deleting?.output).toBeDefined();
    const app = createRelayApp(gw);
    const { data } = await loadDashboard(app);
    const connection = dashboardConnection(app.environment, data);
    const created = (await mutate(app.environment, artifacts.CreateChannelMutation, {
      input: { name: `relay-deleted-${Date.now()}` },
      connections: [connection.__id],
    })) as {
      createChannel: { __typename: string; message?: string; channel?: { id: string; arn?: string } };
    };
    expect(created.createChannel.__typename, created.createChannel.message).toBe("CreateChannelPayload");
    const id = created.createChannel.channel?.id ?? "";
    const source = app.environment.getStore().getSource();
    const arn = source.get(id)?.arn as string;
    expect(source.get(id)?.__typename).toBe("Channel");
    const edgesBefore = dashboardConnection(app.environment, data).edges.length;

    const deleted = (await mutate(app.environment, DeleteChannelMutation as ConcreteRequest, {
      input: { arn },
      connections: [connection.__id],
    })) as { deleteChannel: { __typename: string; message?: string; deletedId?: string; arn?: string } };
    expectNoErrors(app);
    expect(deleted.deleteChannel).toMatchObject({ __typename: "DeleteChannelPayload", deletedId: id, arn });

    expect(source.getStatus(id)).toBe("NONEXISTENT");
    const after = dashboardConnection(app.environment, data);
    expect(after.edges).toHaveLength(edgesBefore - 1);
    expect(after.edges.map((e) => e.node?.id)).not.toContain(id);
    // The payload is a record of its own (a client id under the mutation's root), not one keyed by the
    // deleted node's id: no Channel record ever became a DeleteChannelPayload.
    const payloads = source
      .getRecordIDs()
      .filter((key) => source.get(key)?.__typename === "DeleteChannelPayload");
    expect(payloads).toHaveLength(1);
    expect(payloads[0]).toMatch(/^client:[^"]*:deleteChannel\(/);
    for (const key of source.getRecordIDs()) {
      const record = source.get(key);
      if (key.startsWith("client:") || !record) continue;
      expect(["Channel", "StreamKey", "RecordingConfiguration", "Query"]).toContain(record.__typename);
    }
    for (const edge of after.edges) expect(source.get(edge.node?.id ?? "")?.__typename).toBe("Channel");
  });
});

describe("partial results", () => {
  it("keeps the sibling of a node(id:) that fails and reports the error at its path", async () => {
    const { status, body } = await postGraphQL(
      gw,
      'query Probe { __typename bad: node(id: "garbage") { id } }',
    );
    expect(status).toBe(200);
    expect(body.data).toEqual({ __typename: "Query", bad: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.path).toEqual(["bad"]);
  });

  it("a Relay refetch of a garbage id resolves with node null and the error at its path, the store intact", async () => {
    const app = createRelayApp(gw);
    const { data } = await loadDashboard(app);
    const ids = dashboardConnection(app.environment, data).edges.map((e) => e.node?.id);
    const refetched = await query(app.environment, artifacts.ChannelRowRefetchQuery, { id: "garbage" }).catch(
      (error: Error) => ({ data: undefined, error }),
    );
    const last = app.responses.at(-1);
    expect(last?.body.data).toEqual({ node: null });
    expect(last?.body.errors?.[0]?.path).toEqual(["node"]);
    expect((refetched.data as { node: unknown } | undefined)?.node).toBeNull();
    // What was loaded before is untouched.
    expect(dashboardConnection(app.environment, data).edges.map((e) => e.node?.id)).toEqual(ids);
  });
});
