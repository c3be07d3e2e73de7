import { CreateChannelCommand } from "@aws-sdk/client-ivs";
import { beforeAll, describe, expect, it } from "vitest";
import { callsOf, useGateway } from "./harness.ts";

const STATUS = `{ channels(first: 50) { edges { node { arn isLive stream { streamId } } } } }`;
type Page = { channels: { edges: { node: { arn: string; isLive: boolean } }[] } };
const liveOf = (data: Page | undefined) =>
  (data?.channels.edges ?? []).filter((e) => e.node.isLive).map((e) => e.node.arn);

describe("live status when the event pipeline cannot be trusted", () => {
  // The start-up reconciliation fails, so the hub never vouches for its view: the fallback must answer.
  const h = useGateway({}, { faults: { errorRate: 1, operations: ["ListStreams"] } });
  const arns: string[] = [];

  beforeAll(async () => {
    await h.control("/faults", { errorRate: 0, operations: null }, "PUT");
    await h.arrange(async () => {
      for (let i = 0; i < 20; i++)
        arns.push((await h.direct.send(new CreateChannelCommand({ name: `s${i}` }))).channel?.arn as string);
    });
    for (const arn of arns.slice(0, 2)) await h.control("/broadcasts/start", { channelArn: arn });
    // Their events reach the gateway now, not in the middle of a test.
    await h.control("/event-deliveries/flush");
  });

  it("answers isLive and stream of 20 channels with one ListStreams for the account, never GetStream", async () => {
    expect(h.gateway.live.hub.reconciledAt).toBe(0);
    await h.resetCounts();
    const res = await h.gql<Page>(STATUS);
    expect(liveOf(res.data).sort()).toEqual(arns.slice(0, 2).sort());
    let counts = await h.counts();
    expect(callsOf(counts, "ListStreams").total).toBe(1);
    expect(callsOf(counts, "GetStream").total).toBe(0);
    // Shared by every request for a moment (2 s): the next request asks nothing.
    await h.resetCounts();
    expect(liveOf((await h.gql<Page>(STATUS)).data).sort()).toEqual(arns.slice(0, 2).sort());
    counts = await h.counts();
    expect(callsOf(counts, "ListStreams").total).toBe(0);
  });

  it("shows a stream starting within moments, asking ListStreams again", async () => {
    await h.gql<Page>(STATUS);
    await h.resetCounts();
    // The emulator delivers the Stream Start event to the gateway's POST /events, as EventBridge would.
    await h.control("/broadcasts/start", { channelArn: arns[2] });
    await expect
      .poll(async () => liveOf((await h.gql<Page>(STATUS)).data).includes(arns[2] as string), {
        timeout: 5000,
      })
      .toBe(true);
    expect(callsOf(await h.counts(), "ListStreams").total).toBeGreaterThanOrEqual(1);
  });
});
