import { ControlError } from "../control/router.ts";
import type { ResourceLimits } from "../operations/context.ts";
import type { Random } from "../random.ts";
import type { Store } from "../state/store.ts";
import type { BroadcastSimulator } from "./simulator.ts";

/** Phase lengths of the demo schedule. */
export interface DemoPhases {
  /** How long each broadcast stays live. Default 20000 ms. */
  liveMs: number;
  /** How long a channel then stays offline before its next broadcast. Default 10000 ms. */
  offlineMs: number;
  /** How long the starvation in the middle of each broadcast lasts; 0 = none. Default 5000 ms. */
  starveMs: number;
  /** How often the viewer count changes while live; 0 = never. Default 3000 ms. */
  viewersEveryMs: number;
}

export const DEFAULT_DEMO_PHASES: DemoPhases = {
  liveMs: 20_000,
  offlineMs: 10_000,
  starveMs: 5_000,
  viewersEveryMs: 3_000,
};

export interface DemoDeps {
  store: Store;
  broadcasts: BroadcastSimulator;
  limits: ResourceLimits;
  /** Viewer counts only; a separate generator from the fault draws', so a seeded run stays reproducible. */
  random: Random;
  phases?: Partial<DemoPhases>;
}

interface Rotation {
  timers: Set<NodeJS.Timeout>;
  /** The broadcast this rotation started or adopted; steps leave any other broadcast alone. */
  streamId?: string;
}

/**
 * Broadcasts on a loop, so that a fresh emulator shows motion: each channel goes live, starves halfway
 * through, recovers, changes its viewer count, ends, stays offline, and starts again. Channels are staggered
 * over the cycle so that something changes every few seconds. A broadcast already live when a channel's
 * turn comes is adopted (and ended on schedule); a channel that is deleted leaves the rotation. Steps that
 * IVS would refuse (no stream key, the concurrent-broadcast quota) are skipped until the next cycle.
 */
export class DemoBroadcasts {
  readonly phases: DemoPhases;
  private readonly rotations = new Map<string, Rotation>();
  private scanTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: DemoDeps) {
    this.phases = { ...DEFAULT_DEMO_PHASES, ...deps.phases };
    const { liveMs, offlineMs, starveMs, viewersEveryMs } = this.phases;
    for (const [name, v] of Object.entries({ liveMs, offlineMs, starveMs, viewersEveryMs }))
      if (!Number.isFinite(v) || v < 0) throw new Error(`demo ${name} must be a number ≥ 0, got ${v}`);
    if (liveMs <= 0) throw new Error("demo liveMs must be more than 0");
  }

  /** Whether a schedule is running. */
  get running(): boolean {
    return this.rotations.size > 0 || this.scanTimer !== undefined;
  }

  /** Channels in the rotation. */
  channels(): string[] {
    return [...this.rotations.keys()];
  }

  /**
   * Runs the schedule on these channels; without a list, on every channel, including those created later
   * (looked for again every `offlineMs`, at least once a second). The first channel starts at once.
   * Calling it again adds channels; those already in the rotation keep their place.
   */
  start(channelArns?: readonly string[]): void {
    if (channelArns) {
      this.join(channelArns);
      return;
    }
    if (this.scanTimer) return;
    const scan = () => {
      const present = this.deps.store.channels;
      for (const arn of this.rotations.keys()) if (!present.has(arn)) this.leave(arn);
      this.join([...present.keys()]);
    };
    scan();
    this.scanTimer = setInterval(scan, Math.max(1000, this.phases.offlineMs));
    this.scanTimer.unref();
  }

  /** Stops the schedule; broadcasts it started stay as they are. */
  stop(): void {
    if (this.scanTimer) clearInterval(this.scanTimer);
    this.scanTimer = undefined;
    for (const arn of [...this.rotations.keys()]) this.leave(arn);
  }

  /** Adds channels, spread evenly over one cycle. */
  private join(arns: readonly string[]): void {
    const fresh = [...new Set(arns)].filter((arn) => !this.rotations.has(arn));
    const cycle = this.phases.liveMs + this.phases.offlineMs;
    fresh.forEach((arn, i) => {
      this.rotations.set(arn, { timers: new Set() });
      this.after(arn, Math.round((i * cycle) / fresh.length), () => this.goLive(arn));
    });
  }

  private leave(arn: string): void {
    const rotation = this.rotations.get(arn);
    if (!rotation) return;
    for (const timer of rotation.timers) clearTimeout(timer);
    this.rotations.delete(arn);
  }

  private after(arn: string, ms: number, step: () => void): void {
    const rotation = this.rotations.get(arn);
    if (!rotation) return;
    const timer = setTimeout(() => {
      rotation.timers.delete(timer);
      if (this.rotations.get(arn) === rotation) step();
    }, ms);
    timer.unref();
    rotation.timers.add(timer);
  }

  private goLive(arn: string): void {
    const { store, broadcasts, limits } = this.deps;
    const rotation = this.rotations.get(arn);
    if (!rotation) return;
    if (!store.channels.has(arn)) {
      this.leave(arn);
      return;
    }
    const { liveMs, offlineMs, starveMs, viewersEveryMs } = this.phases;
    const live = store.streams.get(arn);
    if (live) {
      rotation.streamId = live.streamId;
    } else {
      // Checked here rather than left to start(): an over-quota start emits a Limit Breach event.
      const startable =
        store.keysOfChannel(arn).length > 0 && store.streams.size < limits.concurrentBroadcasts;
      const info = startable
        ? tryStep(() => broadcasts.start({ channelArn: arn, viewerCount: this.viewers() }))
        : undefined;
      if (!info?.live) {
        this.after(arn, liveMs + offlineMs, () => this.goLive(arn));
        return;
      }
      rotation.streamId = info.streamId;
    }
    const ours = () => store.streams.get(arn)?.streamId === rotation.streamId;
    if (starveMs > 0 && starveMs < liveMs) {
      const from = Math.round((liveMs - starveMs) / 2);
      this.after(arn, from, () => ours() && tryStep(() => broadcasts.starve(arn)));
      this.after(arn, from + starveMs, () => ours() && tryStep(() => broadcasts.recover(arn)));
    }
    if (viewersEveryMs > 0) {
      for (let at = viewersEveryMs; at < liveMs; at += viewersEveryMs) {
        this.after(arn, at, () => {
          const stream = store.streams.get(arn);
          if (stream && ours()) tryStep(() => broadcasts.setViewers(arn, this.viewers(stream.viewerCount)));
        });
      }
    }
    this.after(arn, liveMs, () => {
      if (ours()) tryStep(() => broadcasts.end(arn));
      rotation.streamId = undefined;
      this.after(arn, offlineMs, () => this.goLive(arn));
    });
  }

  /**
   * A new audience of 5 to 400, or a drift of up to ±25 % from the current one, capped so that all the
   * rotation's channels together stay under the Concurrent Viewers limit (its breach is not demo material).
   */
  private viewers(current?: number): number {
    const r = this.deps.random();
    const cap = Math.max(
      1,
      Math.floor((0.8 * this.deps.broadcasts.options.concurrentViewers) / this.rotations.size),
    );
    const next =
      current === undefined || current <= 0
        ? 5 + Math.floor(r * 400)
        : Math.round(current * (0.75 + r * 0.5));
    return Math.min(cap, Math.max(1, next));
  }
}

/** A step IVS refuses (the channel changed meanwhile) is skipped; nothing is thrown out of a timer. */
function tryStep<T>(step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof ControlError)) console.error("[ivs-emulator] demo broadcast step failed:", error);
    return undefined;
  }
}
