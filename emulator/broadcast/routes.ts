import { ControlError, type ControlRoute } from "../control/router.ts";
import { BREACH_LIMITS, type BreachRequest } from "./breach.ts";
import type { BroadcastSimulator } from "./simulator.ts";
import type { BroadcastTarget, StartOptions } from "./types.ts";

/** Members each route accepts; anything else is a typo worth a 400 rather than a silent default. */
const TARGET = ["channelArn", "streamKey"];
const START = [
  ...TARGET,
  "video",
  "audio",
  "tracks",
  "viewerCount",
  "takeover",
  "priority",
  "recordingFailure",
];

function only(body: Record<string, unknown>, allowed: string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw new ControlError(400, `unknown member(s): ${unknown.join(", ")}; allowed: ${allowed.join(", ")}`);
}

function target(body: Record<string, unknown>): BroadcastTarget {
  const out: BroadcastTarget = {};
  for (const key of TARGET) {
    const v = body[key];
    if (v === undefined) continue;
    if (typeof v !== "string" || v === "") throw new ControlError(400, `${key} must be a non-empty string`);
    out[key as keyof BroadcastTarget] = v;
  }
  if (!out.channelArn && !out.streamKey) throw new ControlError(400, "channelArn or streamKey is required");
  return out;
}

function startOptions(body: Record<string, unknown>): StartOptions {
  only(body, START);
  const opts: StartOptions = { ...body, ...target(body) };
  if (body.takeover !== undefined && typeof body.takeover !== "boolean")
    throw new ControlError(400, "takeover must be a boolean");
  if (body.priority !== undefined && typeof body.priority !== "number")
    throw new ControlError(400, "priority must be a number");
  if (
    body.recordingFailure !== undefined &&
    body.recordingFailure !== "start" &&
    body.recordingFailure !== "end"
  )
    throw new ControlError(400, 'recordingFailure must be "start" or "end"');
  return opts;
}

function breachRequest(body: Record<string, unknown>): BreachRequest & BroadcastTarget {
  only(body, [...TARGET, "limit", "value", "width", "height", "disconnect"]);
  const limit = body.limit as BreachRequest["limit"];
  if (!BREACH_LIMITS.includes(limit))
    throw new ControlError(400, `limit must be one of ${BREACH_LIMITS.join(", ")}`);
  if (body.disconnect !== undefined && typeof body.disconnect !== "boolean")
    throw new ControlError(400, "disconnect must be a boolean");
  const accountLevel = limit === "viewers" || limit === "broadcasts";
  // Account-level breaches name no channel; a channel given anyway is ignored rather than refused.
  return { ...(body as Partial<BreachRequest>), limit, ...(accountLevel ? {} : target(body)) };
}

/** The broadcast simulator's control routes (README, "Broadcast simulator"). */
export function broadcastRoutes(simulator: BroadcastSimulator): ControlRoute[] {
  return [
    { method: "GET", path: "/broadcasts", handle: () => ({ broadcasts: simulator.live() }) },
    { method: "POST", path: "/broadcasts/start", handle: ({ body }) => simulator.start(startOptions(body)) },
    {
      method: "POST",
      path: "/broadcasts/end",
      handle: ({ body }) => {
        only(body, TARGET);
        return simulator.end(target(body));
      },
    },
    {
      method: "POST",
      path: "/broadcasts/fail",
      handle: ({ body }) => {
        only(body, [...TARGET, "reason"]);
        if (body.reason !== undefined && (typeof body.reason !== "string" || body.reason === ""))
          throw new ControlError(400, "reason must be a non-empty string");
        return simulator.fail(target(body), body.reason as string | undefined);
      },
    },
    {
      method: "POST",
      path: "/broadcasts/starve",
      handle: ({ body }) => {
        only(body, TARGET);
        return simulator.starve(target(body));
      },
    },
    {
      method: "POST",
      path: "/broadcasts/recover",
      handle: ({ body }) => {
        only(body, TARGET);
        return simulator.recover(target(body));
      },
    },
    {
      method: "POST",
      path: "/broadcasts/breach",
      handle: ({ body }) => ({ event: simulator.breach(breachRequest(body)) }),
    },
    {
      method: "POST",
      path: "/broadcasts/viewers",
      handle: ({ body }) => {
        only(body, [...TARGET, "viewerCount"]);
        return simulator.setViewers(target(body), body.viewerCount as number);
      },
    },
  ];
}
