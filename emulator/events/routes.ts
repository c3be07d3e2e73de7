import { ControlError, type ControlRoute } from "../control/router.ts";
import type { EventBus } from "./bus.ts";
import type { CloudTrail } from "./cloudtrail.ts";
import type { EventDelivery } from "./delivery.ts";
import { DeliveryConfigError, type EventTarget } from "./delivery-options.ts";

/** Longest POST /event-deliveries/flush waits, so a stuck target cannot hang a control call. */
const FLUSH_LIMIT_MS = 30_000;

/** Configuration mistakes become 400s with the checker's message. */
function configured<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof DeliveryConfigError) throw new ControlError(400, error.message);
    throw error;
  }
}

function sinceOf(raw: string | null): number | undefined {
  if (raw === null || raw === "") return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t))
    throw new ControlError(400, "since must be an ISO-8601 time, e.g. 2024-09-09T16:17:26Z");
  return t;
}

/** The event log, delivery targets, delivery faults, delivery stats and the CloudTrail switch (README, "Events"). */
export function eventRoutes(bus: EventBus, delivery: EventDelivery, cloudTrail: CloudTrail): ControlRoute[] {
  return [
    {
      method: "GET",
      path: "/events",
      handle: ({ url }) => {
        const channelArn = url.searchParams.get("channelArn");
        const detailType = url.searchParams.get("detailType");
        const since = sinceOf(url.searchParams.get("since"));
        const events = bus
          .emitted()
          .filter(
            (e) =>
              (!channelArn || e.resources.includes(channelArn)) &&
              (!detailType || e["detail-type"] === detailType) &&
              (since === undefined || Date.parse(e.time) >= since),
          );
        return { events };
      },
    },
    { method: "DELETE", path: "/events", handle: () => bus.clear() },
    { method: "GET", path: "/event-targets", handle: () => ({ targets: delivery.listTargets() }) },
    {
      method: "POST",
      path: "/event-targets",
      handle: ({ body }) => {
        const unknown = Object.keys(body).filter((k) => !["url", "apiKeyHeader", "apiKey"].includes(k));
        if (unknown.length > 0) throw new ControlError(400, `unknown member(s): ${unknown.join(", ")}`);
        if (typeof body.url !== "string") throw new ControlError(400, "url is required");
        return configured(() => delivery.addTarget(body as unknown as EventTarget));
      },
    },
    {
      method: "DELETE",
      path: "/event-targets",
      handle: ({ url, body }) => {
        const which = url.searchParams.get("url") ?? (typeof body.url === "string" ? body.url : undefined);
        if (which === undefined) {
          for (const t of delivery.listTargets()) delivery.removeTarget(t.url);
          return { removed: "all" };
        }
        if (!delivery.removeTarget(which)) throw new ControlError(404, `no event target ${which}`);
        return { removed: which };
      },
    },
    { method: "GET", path: "/event-faults", handle: () => delivery.getFaults() },
    {
      method: "PUT",
      path: "/event-faults",
      handle: ({ body }) => configured(() => delivery.setFaults(body)),
    },
    { method: "GET", path: "/event-retry", handle: () => delivery.getRetry() },
    { method: "PUT", path: "/event-retry", handle: ({ body }) => configured(() => delivery.setRetry(body)) },
    { method: "GET", path: "/event-deliveries", handle: () => delivery.stats() },
    {
      method: "POST",
      path: "/event-deliveries/flush",
      handle: async () => {
        let timer: NodeJS.Timeout | undefined;
        const limit = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), FLUSH_LIMIT_MS);
        });
        const idle = await Promise.race([delivery.flush().then(() => true), limit]);
        clearTimeout(timer);
        return { idle, ...delivery.stats() };
      },
    },
    { method: "GET", path: "/cloudtrail", handle: () => ({ enabled: cloudTrail.enabled }) },
    {
      method: "PUT",
      path: "/cloudtrail",
      handle: ({ body }) => {
        const unknown = Object.keys(body).filter((k) => k !== "enabled");
        if (unknown.length > 0) throw new ControlError(400, `unknown member(s): ${unknown.join(", ")}`);
        if (typeof body.enabled !== "boolean") throw new ControlError(400, "enabled must be a boolean");
        cloudTrail.enabled = body.enabled;
        return { enabled: cloudTrail.enabled };
      },
    },
  ];
}
