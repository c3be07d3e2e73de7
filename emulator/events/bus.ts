import type { Ids } from "../ids.ts";

export const DETAIL_TYPES = {
  streamState: "IVS Stream State Change",
  streamHealth: "IVS Stream Health Change",
  limitBreach: "IVS Limit Breach",
  recordingState: "IVS Recording State Change",
} as const;

/** An EventBridge event as IVS publishes it to the default bus. */
export interface IvsEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: "aws.ivs";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** Where emitted events go (the delivery to HTTP targets). */
export interface EventSink {
  deliver(event: IvsEvent): void;
}

/** Builds envelopes, keeps a bounded log of what was emitted (GET /_emulator/events), and hands events on. */
export class EventBus {
  private log: IvsEvent[] = [];
  private sinks: EventSink[] = [];

  constructor(
    private readonly ids: Ids,
    private readonly now: () => Date,
    private readonly logLimit = 10_000,
  ) {}

  addSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  /** Emits an event stamped `at` (default: now on the emulator clock). */
  emit(
    detailType: string,
    resources: string[],
    detail: Record<string, unknown>,
    at: Date = this.now(),
  ): IvsEvent {
    const event: IvsEvent = {
      version: "0",
      id: this.ids.eventId(),
      "detail-type": detailType,
      source: "aws.ivs",
      account: this.ids.account,
      // EventBridge times have second precision.
      time: `${at.toISOString().slice(0, 19)}Z`,
      region: this.ids.region,
      resources,
      detail,
    };
    this.log.push(event);
    if (this.log.length > this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
    for (const sink of this.sinks) sink.deliver(event);
    return event;
  }

  emitted(): IvsEvent[] {
    return [...this.log];
  }

  clear(): void {
    this.log = [];
  }
}
