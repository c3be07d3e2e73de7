import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { resourceType } from "../ids.ts";
import type {
  AdConfiguration,
  Channel,
  PlaybackKeyPair,
  PlaybackRestrictionPolicy,
  RecordingConfiguration,
  StateSnapshot,
  Stream,
  StreamKey,
  StreamSession,
  Tags,
} from "./types.ts";

/** In-memory state of one emulated account and region, optionally persisted to a JSON file. */
export class Store {
  channels = new Map<string, Channel>();
  streamKeys = new Map<string, StreamKey>();
  recordingConfigurations = new Map<string, RecordingConfiguration>();
  playbackKeyPairs = new Map<string, PlaybackKeyPair>();
  playbackRestrictionPolicies = new Map<string, PlaybackRestrictionPolicy>();
  adConfigurations = new Map<string, AdConfiguration>();
  /** Live streams by channel ARN. */
  streams = new Map<string, Stream>();
  /** Sessions by channel ARN, oldest first. */
  sessions = new Map<string, StreamSession[]>();

  private seq = 0;
  private order = new Map<string, number>();

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
    for (const map of this.maps()) map.clear();
    this.streams.clear();
    this.sessions.clear();
    this.order.clear();
    this.seq = 0;
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

  restore(s: StateSnapshot): void {
    this.clear();
    this.seq = s.seq;
    this.order = new Map(Object.entries(s.order));
    const byArn = <T extends { arn: string }>(items: T[]) => new Map(items.map((i) => [i.arn, i] as const));
    this.channels = byArn(s.channels);
    this.streamKeys = byArn(s.streamKeys);
    this.recordingConfigurations = byArn(s.recordingConfigurations);
    this.playbackKeyPairs = byArn(s.playbackKeyPairs);
    this.playbackRestrictionPolicies = byArn(s.playbackRestrictionPolicies);
    this.adConfigurations = byArn(s.adConfigurations);
    this.streams = new Map(s.streams.map((st) => [st.channelArn, st]));
    this.sessions = new Map(Object.entries(s.sessions));
  }

  /** Writes the state atomically (temp file, then rename). */
  save(file: string): void {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.snapshot()));
    renameSync(tmp, file);
  }

  /** Loads the state file if it exists; a file of another version or shape is an error, not silently dropped. */
  load(file: string): boolean {
    if (!existsSync(file)) return false;
    const snapshot = JSON.parse(readFileSync(file, "utf8")) as StateSnapshot;
    if (snapshot.version !== 1)
      throw new Error(`state file ${file} has unsupported version ${String(snapshot.version)}`);
    this.restore(snapshot);
    return true;
  }

  private maps(): Map<string, unknown>[] {
    return [
      this.channels,
      this.streamKeys,
      this.recordingConfigurations,
      this.playbackKeyPairs,
      this.playbackRestrictionPolicies,
      this.adConfigurations,
    ];
  }
}
