import { ListStreamSessionsCommand, ListStreamsCommand } from "@aws-sdk/client-ivs";
import { describe, expect, it } from "vitest";
import { collect, useLiveGateway } from "./harness.ts";

const PERIOD_MS = 1000;
const h = useLiveGateway(
  { RECONCILE_INTERVAL_MS: String(PERIOD_MS) },
  {
    seed: 20261124,
    events: {
      faults: {
        dropRate: 0.3,
        duplicateRate: 0.3,
        delayMs: 400,
        reorderRate: 0.3,
        reorderWindowMs: 500,
        seed: 20261124,
      },
    },
  },
);

type Update = {
  channelLiveStatus: { channelArn: string; status: string; streamId: string | null; source: string };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("live status under best-effort delivery", () => {
  it("never regresses and converges to the emulator's truth within one reconciliation period", async () => {
    const arns: string[] = [];
    for (let i = 0; i < 6; i++) arns.push(await h.createChannel(`converge-${i}`));
    const sub = collect<Update>(
      h.wsClient(),
      `subscription ($arns: [String!]!) { channelLiveStatus(arns: $arns) { channelArn status streamId source } }`,
      { arns },
    );
    await sub.until((items) => items.length === arns.length);

    // Several sessions per channel, some still live at the end; faults drop, duplicate, delay and reorder.
    const live = new Set<string>();
    let step = 0;
    for (let round = 0; round < 5; round++) {
      for (const [i, arn] of arns.entries()) {
        step += 1;
        if ((i + round) % 3 === 0) continue;
        if (live.has(arn)) {
          await h.control("/broadcasts/end", { channelArn: arn });
          live.delete(arn);
        } else {
          await h.control("/broadcasts/start", { channelArn: arn });
          live.add(arn);
        }
        if (step % 4 === 0) await sleep(60);
      }
    }
    const stats = (await h.control("/event-deliveries/flush")) as Record<string, unknown>;
    const lastAction = Date.now();
    expect(JSON.stringify(stats)).toMatch(/dropped/);

    // The first reconciliation that starts a full event-time tick after the last action sees the truth.
    const deadline = lastAction + 1000 + PERIOD_MS + 500;
    await expect
      .poll(() => h.gateway.live.hub.reconciledAt >= lastAction + 1000, {
        timeout: deadline - Date.now() + 1000,
      })
      .toBe(true);

    const truth = new Map<string, string>();
    for (const s of (await h.gateway.ivs.send(new ListStreamsCommand({}))).streams ?? [])
      truth.set(s.channelArn as string, s.streamId as string);
    for (const arn of arns) {
      const state = h.gateway.live.hub.state.get(arn);
      expect(state.streamId, arn).toBe(truth.get(arn) ?? null);
      expect(state.status).toBe(truth.has(arn) ? "LIVE" : "OFFLINE");
    }
    // Subscribers saw the same final state.
    await sub.until((items) => arns.every((arn) => last(items, arn)?.streamId === (truth.get(arn) ?? null)));

    // No regression on the way: LIVE updates of a channel follow its sessions' real order, never going back.
    for (const arn of arns) {
      const sessions =
        (await h.gateway.ivs.send(new ListStreamSessionsCommand({ channelArn: arn }))).streamSessions ?? [];
      const realOrder = sessions.map((s) => s.streamId as string).reverse(); // the API lists newest first
      const seen = sub.items
        .map((i) => i.channelLiveStatus)
        .filter((s) => s.channelArn === arn && s.status === "LIVE")
        .map((s) => s.streamId as string);
      const distinct = seen.filter((id, i) => id !== seen[i - 1]);
      expect(new Set(distinct).size, `a stream came back on ${arn}: ${distinct.join(",")}`).toBe(
        distinct.length,
      );
      const positions = distinct.map((id) => realOrder.indexOf(id));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
    sub.dispose();
  });
});

function last(items: Update[], arn: string) {
  for (let i = items.length - 1; i >= 0; i--) {
    const s = items[i]?.channelLiveStatus;
    if (s?.channelArn === arn) return s;
  }
  return undefined;
}
