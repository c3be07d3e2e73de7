import { resourceType } from "../ids.ts";
import { TrackedMap, type Tracking } from "./tracked-map.ts";
import type {
  AdConfiguration,
  Channel,
  Collection,
  PlaybackKeyPair,
  PlaybackRestrictionPolicy,
  RecordingConfiguration,
  StateChange,
  StateSnapshot,
  Stream,
  StreamKey,
  StreamSession,
  Tags,
} from "./types.ts";

/**
 * In-memory state of one emulated account and region. With a state file, its maps note what changes
 * (see TrackedMap for the rule on in-place changes) and `changes()` hands that to the write-ahead log.
 */
export class Store {
  private readonly tracking: Tracking = { on: false, reads: true };
  readonly channels = new TrackedMap<string, Channel>(this.tracking);
  readonly streamKeys = new TrackedMap<string, StreamKey>(this.tracking);
  readonly recordingConfigurations = new TrackedMap<string, RecordingConfiguration>(this.tracking);
  readonly playbackKeyPairs = new TrackedMap<string, PlaybackKeyPair>(this.tracking);
  readonly playbackRestrictionPolicies = new TrackedMap<string, PlaybackRestrictionPolicy>(this.tracking);
  readonly adConfigurations = new TrackedMap<string, AdConfiguration>(this.tracking);
  /** Live streams by channel ARN. */
  readonly streams = new TrackedMap<string, Stream>(this.tracking);
  /** Sessions by channel ARN, oldest first. */
  readonly sessions = new TrackedMap<string, StreamSession[]>(this.tracking);

  private seq = 0;
  private readonly order = new TrackedMap<string, number>(this.tracking);
  /** Cleared since the last `changes()`, which then says so first. */
  private cleared = false;

  /** Creation sequence number of a resource; list pages and their tokens are ordered by it. */
  orderOf(key: string): number {
    let n = this.order.get(key);
    if (n === undefined) {
      n = ++this.seq;
      this.order.set(key, n);
    }
    return n;
  }

  forget(key: string): void {
    this.order.delete(key);
  }

  /** The tags object of any taggable resource, or undefined when the ARN names nothing. */
  taggable(arn: string): { tags: Tags } | undefined {
    switch (resourceType(arn)) {
      case "channel":
        return this.channels.get(arn);
      case "stream-key":
        return this.streamKeys.get(arn);
      case "playback-key":
        return this.playbackKeyPairs.get(arn);
      case "recording-configuration":
        return this.recordingConfigurations.get(arn);
      case "playback-restriction-policy":
        return this.playbackRestrictionPolicies.get(arn);
      case "ad-configuration":
        return this.adConfigurations.get(arn);
      default:
        return undefined;
    }
  }

  keysOfChannel(channelArn: string): StreamKey[] {
    return [...this.streamKeys.values()].filter((k) => k.channelArn === channelArn);
  }

  clear(): void {
    for (const map of Object.values(this.collections())) map.clear();
    this.seq = 0;
    if (this.tracking.on) this.cleared = true;
  }

  /** Starts (or stops) noting changes for `changes()`. Off by default: memory only costs nothing. */
  track(on: boolean): void {
    this.tracking.on = on;
    if (!on) this.changes();
  }

  /** Runs a read-only operation without noting the entries it reads. */
  readOnly<T>(read: () => T): T {
    if (!this.tracking.on) return read();
    this.tracking.reads = false;
    try {
      return read();
    } finally {
      this.tracking.reads = true;
    }
  }

  /** What changed since the last call, or undefined when nothing did; values are serialized by the caller. */
  changes(): StateChange | undefined {
    const change: StateChange = { seq: this.seq, del: [], put: [] };
    if (this.cleared) change.reset = true;
    this.cleared = false;
    for (const [name, map] of Object.entries(this.collections()) as [
      Collection,
      TrackedMap<string, unknown>,
    ][]) {
      const drained = map.drain();
      if (!drained) continue;
      for (const key of drained.removed) change.del.push([name, key]);
      for (const [key, value] of drained.put) change.put.push([name, key, value]);
    }
    return change.reset || change.del.length > 0 || change.put.length > 0 ? change : undefined;
  }

  /** Replays one write-ahead log line (already checked for shape), without noting it as a change. */
  apply(change: StateChange): void {
    const collections = this.collections();
    if (change.reset) for (const map of Object.values(collections)) map.clear();
    for (const [name, key] of change.del) collections[name].unload(key);
    for (const [name, key, value] of change.put) collections[name].load(key, value);
    this.seq = change.seq;
  }

  snapshot(): StateSnapshot {
    return {
      version: 1,
      seq: this.seq,
      order: Object.fromEntries(this.order),
      channels: [...this.channels.values()],
      streamKeys: [...this.streamKeys.values()],
      recordingConfigurations: [...this.recordingConfigurations.values()],
      playbackKeyPairs: [...this.playbackKeyPairs.values()],
      playbackRestrictionPolicies: [...this.playbackRestrictionPolicies.values()],
      adConfigurations: [...this.adConfigurations.values()],
      streams: [...this.streams.values()],
      sessions: Object.fromEntries(this.sessions),
    };
  }

  /** Replaces the state with a snapshot (already checked for shape), without noting it as a change. */
  restore(s: StateSnapshot): void {
    for (const map of Object.values(this.collections())) map.clear();
    this.cleared = false;
    this.seq = s.seq;
    for (const [key, n] of Object.entries(s.order)) this.order.load(key, n);
    const fill = <T extends { arn: string }>(map: TrackedMap<string, T>, items: T[]) => {
      for (const item of items) map.load(item.arn, item);
    };
    fill(this.channels, s.channels);
    fill(this.streamKeys, s.streamKeys);
    fill(this.recordingConfigurations, s.recordingConfigurations);
    fill(this.playbackKeyPairs, s.playbackKeyPairs);
    fill(this.playbackRestrictionPolicies, s.playbackRestrictionPolicies);
    fill(this.adConfigurations, s.adConfigurations);
    for (const st of s.streams) this.streams.load(st.channelArn, st);
    for (const [arn, list] of Object.entries(s.sessions)) this.sessions.load(arn, list);
  }

  private collections(): Record<Collection, TrackedMap<string, unknown>> {
    return {
      channels: this.channels,
      streamKeys: this.streamKeys,
      recordingConfigurations: this.recordingConfigurations,
      playbackKeyPairs: this.playbackKeyPairs,
      playbackRestrictionPolicies: this.playbackRestrictionPolicies,
      adConfigurations: this.adConfigurations,
      streams: this.streams,
      sessions: this.sessions,
      order: this.order,
    } as Record<Collection, TrackedMap<string, unknown>>;
  }
}
