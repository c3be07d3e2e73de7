import { createHash, randomBytes, randomUUID } from "node:crypto";

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Random alphanumerics drawn without modulo bias. */
export function alnum(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALNUM[byte % 62];
    }
  }
  return out;
}

export type ResourceType =
  | "channel"
  | "stream-key"
  | "playback-key"
  | "recording-configuration"
  | "playback-restriction-policy"
  | "ad-configuration";

/** Builds identifiers in the formats the real service uses (see README, "Identifier formats"). */
export class Ids {
  /** 12 hex characters shared by an account's ingest, playback and SRT host names, as on the real service. */
  readonly hostPrefix: string;

  constructor(
    readonly region: string,
    readonly account: string,
  ) {
    this.hostPrefix = createHash("sha256").update(`${account}:${region}`).digest("hex").slice(0, 12);
  }

  arn(type: ResourceType, id = alnum(12)): string {
    return `arn:aws:ivs:${this.region}:${this.account}:${type}/${id}`;
  }

  streamKeyValue(): string {
    return `sk_${this.region}_${alnum(12)}_${alnum(30)}`;
  }

  ingestEndpoint(): string {
    return `${this.hostPrefix}.global-contribute.live-video.net`;
  }

  srtEndpoint(): string {
    return `${this.hostPrefix}.srt.live-video.net`;
  }

  playbackUrl(channelArn: string): string {
    const id = resourceId(channelArn);
    return `https://${this.hostPrefix}.${this.region}.playback.live-video.net/api/video/v1/${this.region}.${this.account}.channel.${id}.m3u8`;
  }

  srtPassphrase(): string {
    return alnum(68);
  }

  streamId(): string {
    return `st-${alnum(23)}`;
  }

  adBreakId(): string {
    return alnum(12);
  }

  recordingSessionId(): string {
    return alnum(16);
  }

  eventId(): string {
    return randomUUID();
  }

  requestId(): string {
    return randomUUID();
  }
}

/** The id after the last `/` of an ARN. */
export function resourceId(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/** The resource type of an IVS ARN (`arn:aws:ivs:region:account:type/id`), or undefined. */
export function resourceType(arn: string): ResourceType | undefined {
  const match = /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:([a-z-]+)\/[a-zA-Z0-9-]+$/.exec(arn);
  return match?.[1] as ResourceType | undefined;
}

/** 16 colon-separated hex bytes: the MD5 of the DER public key (the service's method is undocumented). */
export function fingerprint(der: Buffer): string {
  return (createHash("md5").update(der).digest("hex").match(/../g) ?? []).join(":");
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}
