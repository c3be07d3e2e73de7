import type { RequestCounters } from "../counters.ts";
import type { ApiFaultOptions } from "../faults.ts";
import type { QuotaOptions, RateLimiter } from "../quotas.ts";
import type { Store } from "../state/store.ts";
import { ControlError, type ControlRoute } from "./router.ts";

export interface CoreControlDeps {
  store: Store;
  counters: RequestCounters;
  limiter: RateLimiter;
  getFaults: () => ApiFaultOptions;
  setFaults: (faults: ApiFaultOptions) => void;
  /** Clears resources, live streams, counters and the event log. */
  reset: () => void;
  region: string;
  account: string;
}

function number(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || Number.isNaN(v) || v < min || v > max)
    throw new ControlError(400, `${key} must be a number from ${min} to ${max}`);
  return v;
}

/** Health, request counters, quota and fault knobs, reset. */
export function coreRoutes(deps: CoreControlDeps): ControlRoute[] {
  return [
    {
      method: "GET",
      path: "/health",
      handle: () => ({ ok: true, region: deps.region, account: deps.account }),
    },
    { method: "GET", path: "/requests", handle: () => deps.counters.snapshot() },
    { method: "DELETE", path: "/requests", handle: () => deps.counters.reset() },
    { method: "GET", path: "/quotas", handle: () => deps.limiter.options },
    {
      method: "PUT",
      path: "/quotas",
      handle: ({ body }) => {
        const next: QuotaOptions = { ...deps.limiter.options };
        if (body.enabled !== undefined) {
          if (typeof body.enabled !== "boolean") throw new ControlError(400, "enabled must be a boolean");
          next.enabled = body.enabled;
        }
        next.scale = number(body, "scale", 0.001, 1_000_000) ?? next.scale;
        if (body.rates !== undefined) {
          if (typeof body.rates !== "object" || body.rates === null)
            throw new ControlError(400, "rates must be an object");
          next.rates = body.rates as Record<string, number>;
        }
        deps.limiter.options = next;
        deps.limiter.reset();
        return next;
      },
    },
    { method: "GET", path: "/faults", handle: () => deps.getFaults() },
    {
      method: "PUT",
      path: "/faults",
      handle: ({ body }) => {
        const current = deps.getFaults();
        const next: ApiFaultOptions = {
          errorRate: number(body, "errorRate", 0, 1) ?? current.errorRate,
          throttleRate: number(body, "throttleRate", 0, 1) ?? current.throttleRate,
          latencyMs: number(body, "latencyMs", 0, 60_000) ?? current.latencyMs,
          latencyJitterMs: number(body, "latencyJitterMs", 0, 60_000) ?? current.latencyJitterMs,
        };
        const ops = body.operations ?? current.operations;
        if (ops !== undefined && ops !== null) {
          if (!Array.isArray(ops) || ops.some((o) => typeof o !== "string"))
            throw new ControlError(400, "operations must be a list of operation names");
          next.operations = ops as string[];
        }
        deps.setFaults(next);
        return next;
      },
    },
    { method: "POST", path: "/reset", handle: () => deps.reset() },
    { method: "GET", path: "/state", handle: () => deps.store.snapshot() },
  ];
}
