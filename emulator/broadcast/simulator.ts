import { ControlError } from "../control/router.ts";
import type { IvsEvent } from "../events/bus.ts";
import type { BroadcastControl } from "../operations/context.ts";
import type { Channel, Stream } from "../state/types.ts";
import { type BreachRequest, resolveBreach } from "./breach.ts";
import {
  accountLimitBreach,
  channelLimitBreach,
  type Published,
  streamHealth,
  streamState,
} from "./events.ts";
import { ingestBreach, multitrackRefusal, normalizeIngest } from "./ingest.ts";
import { Recorder } from "./recording.ts";
import {
  addEvent,
  checkViewers,
  openSession,
  resolveChannel,
  sessionOf,
  takeoverRefusal,
} from "./session.ts";
import {
  type BroadcastInfo,
  type BroadcastTarget,
  DEFAULT_SIMULATOR_OPTIONS,
  type SimulatorDeps,
  type SimulatorOptions,
  type StartOptions,
} from "./types.ts";

export type { SimulatorDeps, SimulatorOptions } from "./types.ts";

const FAILURE_REASON = "Transcode capacity exceeded. Please try again.";

/** Simulates encoders broadcasting to channels: streams, sessions and the EventBridge events IVS emits. */
export class BroadcastSimulator implements BroadcastControl {
  readonly options: SimulatorOptions;
  private readonly recorder: Recorder;
  private readonly priorities = new Map<string, number>();
  private viewersBreached = false;

  constructor(private readonly deps: SimulatorDeps) {
    this.options = { ...DEFAULT_SIMULATOR_OPTIONS, ...deps.options };
    this.recorder = new Recorder({
      store: deps.store,
      ids: deps.ids,
      now: deps.now,
      publish: (channelArn, streamId, event) => this.publish(channelArn, streamId, event),
      delayScale: () => this.options.recordingEndDelayScale,
    });
  }

  /** An encoder connects. A plain string is a channel ARN (the demo seed calls it that way). */
  start(input: string | StartOptions): BroadcastInfo {
    const opts: StartOptions = typeof input === "string" ? { channelArn: input } : input;
    const channel = this.channelOf(opts);
    const { store, ids, now } = this.deps;
    const live = store.streams.get(channel.arn);
    if (live) return this.takeover(channel, live, opts);
    if (opts.channelArn && store.keysOfChannel(channel.arn).length === 0)
      throw new ControlError(409, `Channel: ${channel.arn} has no stream key, so no encoder can connect`);
    if (opts.viewerCount !== undefined) checkViewers(opts.viewerCount);
    const ingest = normalizeIngest(channel.type, opts);
    const limit = this.deps.limits.concurrentBroadcasts;
    if (store.streams.size >= limit) {
      this.publish(
        undefined,
        undefined,
        accountLimitBreach("Concurrent Broadcasts", limit, store.streams.size + 1 - limit),
      );
      throw new ControlError(429, `Concurrent broadcasts limit (${limit}) reached for this account`);
    }

    const streamId = ids.streamId();
    const startTime = now().toISOString();
    const session = openSession(store, channel, streamId, startTime, ingest);
    this.publish(channel.arn, streamId, streamState(channel, streamId, "Session Created"));

    // Refusals IVS reports after accepting the key: the session exists, but the stream never starts.
    const code = multitrackRefusal(channel, ingest.videos.length);
    const breach = code ? undefined : ingestBreach(channel.type, ingest);
    if (code || breach) {
      if (breach) this.publish(channel.arn, streamId, channelLimitBreach(channel, streamId, breach));
      this.publish(
        channel.arn,
        streamId,
        streamState(channel, streamId, "Session Ended", code ? { code } : {}),
      );
      session.endTime = now().toISOString();
      this.deps.onChange();
      return { channelArn: channel.arn, streamId, live: false, disconnected: code ?? breach?.limitName };
    }

    const stream: Stream = {
      channelArn: channel.arn,
      streamId,
      playbackUrl: channel.playbackUrl,
      startTime,
      state: "LIVE",
      health: "HEALTHY",
      viewerCount: opts.viewerCount ?? 0,
    };
    store.streams.set(channel.arn, stream);
    store.orderOf(streamId);
    this.priorities.set(channel.arn, 0);
    this.publish(channel.arn, streamId, streamState(channel, streamId, "Stream Start"));
    this.recorder.begin(channel, streamId, opts.recordingFailure);
    this.checkViewerLimit();
    this.deps.onChange();
    return this.info(channel.arn, stream);
  }

  /** The encoder disconnects: Session Ended, Stream End, and Recording End after the reconnect window. */
  end(target: string | BroadcastTarget): BroadcastInfo {
    const { channel, stream } = this.liveOf(target);
    this.disconnect(channel, stream);
    return { channelArn: channel.arn, streamId: stream.streamId, live: false };
  }

  /** StopStream: the caller has checked the channel is live. */
  stop(channelArn: string): void {
    this.end(channelArn);
  }

  /** IVS could not process the stream (e.g. transcode capacity): Stream Failure, then the stream ends. */
  fail(target: string | BroadcastTarget, reason = FAILURE_REASON): BroadcastInfo {
    const { channel, stream } = this.liveOf(target);
    this.publish(
      channel.arn,
      stream.streamId,
      streamState(channel, stream.streamId, "Stream Failure", { reason }),
    );
    this.disconnect(channel, stream);
    return { channelArn: channel.arn, streamId: stream.streamId, live: false };
  }

  /** The encoder stops sending data without disconnecting: health STARVING. */
  starve(target: string | BroadcastTarget): BroadcastInfo {
    return this.setHealth(target, "STARVING", "Starvation Start");
  }

  recover(target: string | BroadcastTarget): BroadcastInfo {
    return this.setHealth(target, "HEALTHY", "Starvation End");
  }

  /** Emits a Limit Breach; an ingest breach disconnects the broadcast unless `disconnect: false`. */
  breach(request: BreachRequest & BroadcastTarget): IvsEvent {
    const accountLevel = request.limit === "viewers" || request.limit === "broadcasts";
    const target = accountLevel ? undefined : this.liveOf(request);
    const session = target ? this.sessionOf(target.channel.arn, target.stream.streamId) : undefined;
    const resolved = resolveBreach(request, {
      channelType: target?.channel.type ?? "STANDARD",
      videos: session?.ingestConfigurations.videoConfigurations ?? [],
      concurrentBroadcasts: this.deps.limits.concurrentBroadcasts,
      concurrentViewers: this.options.concurrentViewers,
    });
    if (resolved.level === "account" || !target) {
      if (resolved.level !== "account") throw new ControlError(500, "a channel-level breach needs a channel");
      const { limitName, limitValue, exceededBy } = resolved;
      return this.publish(undefined, undefined, accountLimitBreach(limitName, limitValue, exceededBy));
    }
    const { channel, stream } = target;
    const event = this.publish(
      channel.arn,
      stream.streamId,
      channelLimitBreach(channel, stream.streamId, resolved.breach),
    );
    if (request.disconnect !== false) this.disconnect(channel, stream);
    return event;
  }

  /** Sets a live stream's viewer count (-1 = the count timed out, as GetStream can report). */
  setViewers(target: string | BroadcastTarget, viewerCount: number): BroadcastInfo {
    checkViewers(viewerCount);
    const { channel, stream } = this.liveOf(target);
    stream.viewerCount = viewerCount;
    this.checkViewerLimit();
    this.deps.onChange();
    return this.info(channel.arn, stream);
  }

  /** Records a non-EventBridge occurrence (an ad break) on the live session's `truncatedEvents`. */
  note(channelArn: string, name: string, type: string): void {
    const stream = this.deps.store.streams.get(channelArn);
    const session = stream ? this.sessionOf(channelArn, stream.streamId) : undefined;
    if (session) addEvent(session, { name, type, eventTime: this.deps.now().toISOString() });
  }

  /** Live broadcasts, oldest first. */
  live(): BroadcastInfo[] {
    return [...this.deps.store.streams.values()].map((s) => this.info(s.channelArn, s));
  }

  /** Cancels pending timers (recording ends) and forgets in-memory broadcast state. */
  dispose(): void {
    this.recorder.dispose();
    this.priorities.clear();
    this.viewersBreached = false;
  }

  private takeover(channel: Channel, live: Stream, opts: StartOptions): BroadcastInfo {
    if (!opts.takeover)
      throw new ControlError(
        409,
        `Channel: ${channel.arn} is already live; pass takeover: true to take it over`,
      );
    const current = this.priorities.get(channel.arn) ?? 0;
    const priority = opts.priority ?? current + 1;
    const offered = opts.video || opts.tracks ? normalizeIngest(channel.type, opts).session : undefined;
    const code = takeoverRefusal(current, priority, this.sessionOf(channel.arn, live.streamId), offered);
    if (code) {
      this.publish(
        channel.arn,
        live.streamId,
        streamState(channel, live.streamId, "Stream Takeover Failure", { code }),
      );
      throw new ControlError(409, `Stream takeover refused: ${code} (live priority ${current})`);
    }
    // The stream carries on under the new encoder: same stream id, same session.
    this.priorities.set(channel.arn, priority);
    this.publish(channel.arn, live.streamId, streamState(channel, live.streamId, "Stream Takeover"));
    this.deps.onChange();
    return this.info(channel.arn, live);
  }

  private disconnect(channel: Channel, stream: Stream): void {
    const { store, now } = this.deps;
    const { streamId } = stream;
    // IVS documents that Session Ended may precede Stream End (processing outlives the encoder).
    this.publish(channel.arn, streamId, streamState(channel, streamId, "Session Ended"));
    this.publish(channel.arn, streamId, streamState(channel, streamId, "Stream End"));
    const session = this.sessionOf(channel.arn, streamId);
    if (session) session.endTime = now().toISOString();
    store.streams.delete(channel.arn);
    store.forget(streamId);
    this.priorities.delete(channel.arn);
    this.recorder.streamEnded(channel.arn);
    this.checkViewerLimit();
    this.deps.onChange();
  }

  private setHealth(
    target: string | BroadcastTarget,
    health: Stream["health"],
    eventName: "Starvation Start" | "Starvation End",
  ): BroadcastInfo {
    const { channel, stream } = this.liveOf(target);
    if (stream.health === health)
      throw new ControlError(409, `Channel: ${channel.arn} is already ${health.toLowerCase()}`);
    stream.health = health;
    this.publish(channel.arn, stream.streamId, streamHealth(channel, stream.streamId, eventName));
    this.deps.onChange();
    return this.info(channel.arn, stream);
  }

  /** One Concurrent Viewers breach each time the account's total crosses the limit. */
  private checkViewerLimit(): void {
    const limit = this.options.concurrentViewers;
    let total = 0;
    for (const s of this.deps.store.streams.values()) total += Math.max(0, s.viewerCount);
    if (total > limit && !this.viewersBreached)
      this.publish(undefined, undefined, accountLimitBreach("Concurrent Viewers", limit, total - limit));
    this.viewersBreached = total > limit;
  }

  /** Emits on the bus (resources: the channel, or none for account-level events) and notes it on the session. */
  private publish(channelArn: string | undefined, streamId: string | undefined, p: Published): IvsEvent {
    const event = this.deps.bus.emit(p.detailType, channelArn ? [channelArn] : [], p.detail);
    const session = channelArn && streamId ? this.sessionOf(channelArn, streamId) : undefined;
    if (session) {
      addEvent(session, {
        name: p.name,
        type: p.detailType,
        eventTime: event.time,
        ...(p.code ? { code: p.code } : {}),
      });
      if (p.error) session.hasErrorEvent = true;
      // A timer (a recording's reconnect window) may be what publishes: the session changed, log it now.
      this.deps.onChange();
    }
    return event;
  }

  private channelOf(target: BroadcastTarget): Channel {
    return resolveChannel(this.deps.store, target);
  }

  private liveOf(target: string | BroadcastTarget): { channel: Channel; stream: Stream } {
    const channel = this.channelOf(typeof target === "string" ? { channelArn: target } : target);
    const stream = this.deps.store.streams.get(channel.arn);
    if (!stream) throw new ControlError(409, `Channel: ${channel.arn} is not broadcasting`);
    return { channel, stream };
  }

  private sessionOf(channelArn: string, streamId: string) {
    return sessionOf(this.deps.store, channelArn, streamId);
  }

  private info(channelArn: string, s: Stream): BroadcastInfo {
    const { streamId, health, viewerCount, startTime } = s;
    return {
      channelArn,
      streamId,
      live: true,
      health,
      viewerCount,
      startTime,
      recording: this.recorder.recording(channelArn),
    };
  }
}
