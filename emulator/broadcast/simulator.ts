import type { EventBus } from "../events/bus.ts";
import type { Ids } from "../ids.ts";
import type { BroadcastControl, ResourceLimits } from "../operations/context.ts";
import type { Random } from "../random.ts";
import type { Store } from "../state/store.ts";

export interface SimulatorDeps {
  store: Store;
  ids: Ids;
  bus: EventBus;
  limits: ResourceLimits;
  random: Random;
  now: () => Date;
  /** Called after the simulator changed state (persistence). */
  onChange: () => void;
}

/** Simulates encoders broadcasting to channels. (Skeleton: the full simulator replaces this.) */
export class BroadcastSimulator implements BroadcastControl {
  constructor(private readonly deps: SimulatorDeps) {}

  stop(channelArn: string): void {
    this.deps.store.streams.delete(channelArn);
  }

  note(_channelArn: string, _name: string, _type: string): void {}

  /** Cancels pending timers (recording ends, ...). */
  dispose(): void {}
}
