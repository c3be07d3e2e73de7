import { API_CALL_DETAIL_TYPE, parseApiCall } from "../mirror/cloudtrail.ts";
import type { Deduper } from "./dedupe.ts";
import type { EventLog } from "./event-log.ts";
import { parseIvsEvent } from "./ivs-event.ts";

/** relayed: an IVS event for subscribers; mirrored: an API call (CloudTrail) that changes the mirror. */
export type IngestOutcome = "relayed" | "mirrored" | "duplicate" | "ignored" | "malformed";

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
  constructor(
    private readonly deps: {
      log: EventLog;
      dedupe: Deduper;
      /** Called per event with its outcome and kind (the IVS event's kind, or the CloudTrail event name). */
      count?: (outcome: IngestOutcome, kind?: string) => void;
    },
  ) {}

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
    if (!(await this.deps.dedupe.firstSeen(event.id)))
      return { outcome: "duplicate", id: event.id, kind: event.kind };
    const logId = await this.deps.log.append(
      fact ? { type: "event", event, fact } : { type: "event", event },
    );
    return { outcome: "relayed", id: event.id, logId, kind: event.kind };
  }

  /** A CloudTrail record of an IVS call: its changes go to every replica's mirror through the log. */
  private async apiCall(body: Record<string, unknown>): Promise<IngestResult & { kind?: string }> {
    const call = parseApiCall(body);
    if (!call.ok)
      return call.malformed
        ? { outcome: "malformed", reason: call.reason }
        : { outcome: "ignored", ...(call.id ? { id: call.id } : {}), reason: call.reason };
    if (!(await this.deps.dedupe.firstSeen(call.id)))
      return { outcome: "duplicate", id: call.id, kind: call.eventName };
    const logId = await this.deps.log.append({
      type: "change",
      eventName: call.eventName,
      ...(call.requestId ? { requestId: call.requestId } : {}),
      changes: call.changes,
    });
    return { outcome: "mirrored", id: call.id, logId, kind: call.eventName };
  }
}
