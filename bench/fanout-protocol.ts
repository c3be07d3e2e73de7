/** Messages between the fan-out benchmark and its receiving processes (bench/fanout-worker.ts). */
export type ToWorker =
  | { type: "open"; token: string; query: string; sockets: { url: string; arn: string }[] }
  /**
   * Deliveries of event `${tag}${i}` are timed from `startAbs + i × intervalMs` (wall-clock ms); those
   * read after `deadlineAbs` are not counted (a backlogged receiver answers its IPC late).
   */
  | { type: "start"; tag: string; startAbs: number; intervalMs: number; deadlineAbs: number }
  | { type: "count" }
  /** The deadline: stop counting, report. */
  | { type: "finish" }
  | { type: "close" };

export type FromWorker =
  | { type: "ready" }
  | { type: "opened"; failed: number }
  | { type: "count"; delivered: number }
  | { type: "result"; latencies: number[]; delivered: number; errors: number; cpuMicros: number };
