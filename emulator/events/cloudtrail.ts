import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { ServiceModel } from "../../model/types.ts";
import type { Ids } from "../ids.ts";
import type { EventBus, IvsEvent } from "./bus.ts";

/**
 * "AWS API Call via CloudTrail" events for the emulator's successful writes (as the IVS User Guide's "Logging IVS API calls with AWS CloudTrail" page describes them), so a consumer
 * sees changes made through the API by any tool. Records are built from the model: members by model
 * name, members the model does not know left out, and every `sensitive` shape (stream key values, SRT
 * passphrases, timed metadata) replaced by HIDDEN at any depth, in the request and in the response.
 */
export const CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail";
export const HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";
/** CloudTrail's access key id for a request that was not signed. */
export const ANONYMOUS_PRINCIPAL = "ANONYMOUS_PRINCIPAL";

/** Who made a call and from where, as the HTTP request tells. */
export interface Caller {
  /** From the SigV4 `Credential=AKID/...`; undefined for an unsigned request. */
  accessKeyId?: string;
  sourceIPAddress: string;
  userAgent: string;
}

/** One successful write, as the API served it. */
export interface ApiCall {
  operation: string;
  input: Record<string, unknown>;
  /** What the handler returned (undefined for 204 operations). */
  output: unknown;
  requestId: string;
  caller: Caller;
  /** The emulator clock at the write. */
  at: Date;
}

const CREDENTIAL = /Credential=([^/,\s]+)\//;

export function callerOf(req: IncomingMessage, url: URL): Caller {
  const auth = req.headers.authorization ?? "";
  const accessKeyId =
    CREDENTIAL.exec(auth)?.[1] ?? url.searchParams.get("X-Amz-Credential")?.split("/")[0] ?? undefined;
  const address = req.socket.remoteAddress ?? "";
  return {
    ...(accessKeyId ? { accessKeyId } : {}),
    // An IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d; CloudTrail shows a.b.c.d.
    sourceIPAddress: address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ""),
    userAgent: req.headers["user-agent"] ?? "",
  };
}

/**
 * The IAM user a call is attributed to: named after the access key id (characters IAM user names do not
 * allow become `_`, at most 64), `anonymous` for unsigned calls; a stable `AIDA…` principal id per name.
 */
export function userIdentity(account: string, accessKeyId: string | undefined) {
  const userName = accessKeyId ? accessKeyId.replace(/[^\w+=,.@-]/g, "_").slice(0, 64) : "anonymous";
  const hash = createHash("sha256").update(`${account}:${userName}`).digest("hex").slice(0, 17);
  return {
    type: "IAMUser",
    principalId: `AIDA${hash.toUpperCase()}`,
    arn: `arn:aws:iam::${account}:user/${userName}`,
    accountId: account,
    accessKeyId: accessKeyId ?? ANONYMOUS_PRINCIPAL,
    userName,
  };
}

/** A value as CloudTrail records it against its model shape: modeled members only, secrets hidden, dates ISO. */
export function recorded(model: ServiceModel, shapeName: string, value: unknown): unknown {
  if (value === undefined) return undefined;
  const shape = model.shapes[shapeName];
  if (shape?.sensitive) return HIDDEN;
  if (value instanceof Date) return value.toISOString();
  if (!shape || value === null || typeof value !== "object") return value;
  if (shape.type === "list" && Array.isArray(value))
    return value.map((v) => recorded(model, shape.member ?? "", v));
  if (shape.type === "map") {
    if (model.shapes[shape.key ?? ""]?.sensitive) return HIDDEN;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, recorded(model, shape.value ?? "", v)]),
    );
  }
  if (shape.type === "structure") {
    const out: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(shape.members ?? {})) {
      const v = recorded(model, member.shape, (value as Record<string, unknown>)[name]);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }
  return value;
}

/** A structure's record, or null when nothing is left (no input shape, a 204, an empty output). */
function elements(model: ServiceModel, shapeName: string | undefined, value: unknown) {
  if (!shapeName) return null;
  const out = recorded(model, shapeName, value);
  return out && typeof out === "object" && Object.keys(out).length > 0 ? out : null;
}

/** The CloudTrail record of one successful write: the `detail` of the event. */
export function cloudTrailDetail(model: ServiceModel, ids: Ids, call: ApiCall): Record<string, unknown> {
  const def = model.operations[call.operation];
  return {
    eventVersion: "1.09",
    userIdentity: userIdentity(ids.account, call.caller.accessKeyId),
    eventTime: secondTime(call.at),
    eventSource: "ivs.amazonaws.com",
    eventName: call.operation,
    awsRegion: ids.region,
    sourceIPAddress: call.caller.sourceIPAddress,
    userAgent: call.caller.userAgent,
    requestParameters: elements(model, def?.input, call.input),
    responseElements: elements(model, def?.output, call.output),
    requestID: call.requestId,
    eventID: ids.eventId(),
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ids.account,
    eventCategory: "Management",
  };
}

/** CloudTrail and EventBridge times have second precision. */
export function secondTime(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}

/** Emits a CloudTrail event per successful write while enabled (the switch: option, CLI, control route). */
export class CloudTrail {
  constructor(
    private readonly bus: EventBus,
    private readonly model: ServiceModel,
    private readonly ids: Ids,
    /** Default on, as an account with a trail sees every write. */
    public enabled = true,
  ) {}

  record(call: ApiCall): IvsEvent | undefined {
    if (!this.enabled) return undefined;
    return this.bus.emit(CLOUDTRAIL_DETAIL_TYPE, [], cloudTrailDetail(this.model, this.ids, call), call.at);
  }
}
