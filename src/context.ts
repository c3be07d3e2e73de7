import type { IvsClient } from "@aws-sdk/client-ivs";
import type { PlaybackTokenSigner } from "./auth/playback-token.ts";
import type { Principal } from "./auth/principal.ts";
import type { IvsReads } from "./ivs/reads.ts";
import type { Loaders } from "./loaders/index.ts";
import type { LiveHub } from "./subscriptions/live-hub.ts";

/** What every resolver receives: the IVS client, this request's loaders and the live-status hub. */
export interface GatewayContext {
  ivs: IvsClient;
  /** Process-wide reads of IVS (cache, coalescing); mutations report what they changed to it. */
  reads: IvsReads;
  loaders: Loaders;
  live: LiveHub;
  /** Who is asking; authenticated once per HTTP request or WebSocket connection (src/auth). */
  principal: Principal;
  /** Signs playback tokens; absent when no PLAYBACK_PRIVATE_KEY is configured. */
  playbackTokens?: PlaybackTokenSigner;
}
