import { API_CALL_DETAIL_TYPE, parseApiCall } from "../mirror/cloudtrail.ts";
import type { Deduper } from "./dedupe.ts";
import { type EventLog, entryBytes, type LogEntry, MAX_ENTRY_BYTES } from "./event-log.ts";
import { parseIvsEvent } from "./ivs-event.ts";

/**
 * relayed: an IVS event for subscribers; mirrored: an API call (CloudTrail) that changes the mirror;
 * too_large: an event whose log entry would exceed the per-entry cap, refused (and not marked as seen).
 */
export type IngestOutcome = "relayed" | "mirrored" | "duplicate" | "ignored" | "malformed" | "too_large";

export interface IngestResult {
  outcome: IngestOutcome;
  /** The EventBridge event id, when the body had one. */
  id?: string;
  /** Position in the event log, for relayed events. */
  logId?: string;
  reason?: string;
}

/**
 * Turns one delivered event body into at most one log entry. Transport-free on purpose: the HTTP
 * endpoint (ingest-http.ts) calls it per request, and an SQS consumer would call it per message.
 */
export class EventIngestor {
  private readonly maxEntryBytes: number;

  constructor(
    private readonly deps: {
      log: EventLog;
      dedupe: Deduper;
      /** Called per event with its outcome and kind (the IVS event's kind, or the CloudTrail event name). */
      count?: (outcome: IngestOutcome, kind?: string) => void;
      /** The largest log entry stored, in bytes of JSON. Default MAX_ENTRY_BYTES (64 KiB). */
      maxEntryBytes?: number;
    },
  ) {
    this.maxEntryBytes = deps.maxEntryBytes ?? MAX_ENTRY_BYTES;
  }

  async ingest(body: unknown): Promise<IngestResult> {
    const { kind, ...result } = await this.process(body);
    this.deps.count?.(result.outcome, kind);
    return result;
  }

  private async process(body: unknown): Promise<IngestResult & { kind?: string }> {
    const parsed = parseIvsEvent(body);
    if (
      !parsed.ok &&
      !parsed.malformed &&
      (body as Record<string, unknown>)["detail-type"] === API_CALL_DETAIL_TYPE
    )
      return this.apiCall(body as Record<string, unknown>);
    if (!parsed.ok) {
      return parsed.malformed
        ? { outcome: "malformed", reason: parsed.reason }
        : { outcome: "ignored", id: parsed.id, reason: parsed.reason };
    }
    const { event, fact } = parsed;
    const entry: LogEntry = fact ? { type: "event", event, fact } : { type: "event", event };
    return this.store(event.id, entry, "relayed", event.kind);
  }

  /** A CloudTrail record of an IVS call: its changes go to every replica's mirror through the log. */
  private async apiCall(body: Record<string, unknown>): Promise<IngestResult & { kind?: string }> {
    const call = parseApiCall(body);
    if (!call.ok)
      return call.malformed
        ? { outcome: "malformed", reason: call.reason }
        : { outcome: "ignored", ...(call.id ? { id: call.id } : {}), reason: call.reason };
    const entry: LogEntry = {
      type: "change",
      eventName: call.eventName,
      ...(call.requestId ? { requestId: call.requestId } : {}),
      changes: call.changes,
    };
    return this.store(call.id, entry, "mirrored", call.eventName);
  }

  /** Appends once per event id; the id is marked only with a successful append, so a failure can be retried. */
  private async store(
    id: string,
    entry: LogEntry,
    outcome: "relayed" | "mirrored",
    kind: string,
  ): Promise<IngestResult & { kind?: string }> {
    const bytes = entryBytes(entry);
    if (bytes > this.maxEntryBytes)
      return {
        outcome: "too_large",
        id,
        kind,
        reason: `the event takes ${bytes} bytes once stored; at most ${this.maxEntryBytes} are kept`,
      };
    const logId = await this.deps.dedupe.appendOnce(this.deps.log, id, entry);
    return logId === undefined ? { outcome: "duplicate", id, kind } : { outcome, id, logId, kind };
  }
}
