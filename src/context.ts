import type { IvsClient } from "@aws-sdk/client-ivs";
import type { AuditLog } from "./audit/log.ts";
import type { PlaybackTokenSigner } from "./auth/playback-token.ts";
import type { Principal } from "./auth/principal.ts";
import type { Jobs } from "./jobs/jobs.ts";
import type { LiveHub } from "./live/live-hub.ts";
import type { Loaders } from "./loaders/index.ts";
import type { Mirror } from "./mirror/mirror.ts";

/** What every resolver receives: the IVS client, this request's loaders and the live-status hub. */
export interface GatewayContext {
  ivs: IvsClient;
  /** The gateway's copy of the IVS account (src/mirror): reads come from it, mutations record into it. */
  mirror: Mirror;
  loaders: Loaders;
  /** Bulk jobs (src/jobs): submitted here, run inside the request budget, shared through Redis when set. */
  jobs: Jobs;
  live: LiveHub;
  /** Who is asking; authenticated once per HTTP request or WebSocket connection (src/auth). */
  principal: Principal;
  /** This HTTP request's id (its `x-request-id`, or one made up), also in the response and audit records. */
  requestId: string;
  /** Where every mutation is recorded, and what `auditEvents` reads (src/audit). */
  audit: AuditLog;
  /** Signs playback tokens; absent when no PLAYBACK_PRIVATE_KEY is configured. */
  playbackTokens?: PlaybackTokenSigner;
}
