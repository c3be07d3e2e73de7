import { IvsError } from "./errors.ts";
import type { Random } from "./random.ts";

export interface ApiFaultOptions {
  /** Share (0..1) of requests answered 500 InternalServerException or 503 ServiceUnavailable. Default 0. */
  errorRate: number;
  /** Share (0..1) of requests answered 429 ThrottlingException on top of the quotas. Default 0. */
  throttleRate: number;
  /** Added latency per request in milliseconds. Default 0. */
  latencyMs: number;
  /** Extra random latency up to this many milliseconds. Default 0. */
  latencyJitterMs: number;
  /** Limit the faults to these operations; all when absent. */
  operations?: string[];
}

export const NO_API_FAULTS: ApiFaultOptions = {
  errorRate: 0,
  throttleRate: 0,
  latencyMs: 0,
  latencyJitterMs: 0,
};

/** Decides, per request, the injected latency and error (if any). */
export function drawApiFault(
  options: ApiFaultOptions,
  operation: string,
  random: Random,
): { delayMs: number; error?: IvsError } {
  if (options.operations && !options.operations.includes(operation)) return { delayMs: 0 };
  const delayMs = options.latencyMs + (options.latencyJitterMs > 0 ? random() * options.latencyJitterMs : 0);
  if (options.errorRate > 0 && random() < options.errorRate) {
    const error =
      random() < 0.5
        ? new IvsError("InternalServerException", "Internal failure (injected by the emulator)")
        : new IvsError("ServiceUnavailable", "Service unavailable (injected by the emulator)");
    return { delayMs, error };
  }
  if (options.throttleRate > 0 && random() < options.throttleRate) {
    return {
      delayMs,
      error: new IvsError("ThrottlingException", `Rate exceeded for ${operation} (injected by the emulator)`),
    };
  }
  return { delayMs };
}
