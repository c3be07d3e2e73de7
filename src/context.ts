import type { IvsClient } from "@aws-sdk/client-ivs";
import type { PlaybackTokenSigner } from "./auth/playback-token.ts";
import type { Principal } from "./auth/principal.ts";
import type { Loaders } from "./loaders/index.ts";
import type { Mirror } from "./mirror/mirror.ts";
import type { LiveHub } from "./subscriptions/live-hub.ts";

/** What every resolver receives: the IVS client, this request's loaders and the live-status hub. */
export interface GatewayContext {
  ivs: IvsClient;
  /** The gateway's copy of the IVS account (src/mirror): reads come from it, mutations record into it. */
  mirror: Mirror;
  loaders: Loaders;
  live: LiveHub;
  /** Who is asking; authenticated once per HTTP request or WebSocket connection (src/auth). */
  principal: Principal;
  /** Signs playback tokens; absent when no PLAYBACK_PRIVATE_KEY is configured. */
  playbackTokens?: PlaybackTokenSigner;
}
