import { builder } from "./builder.ts";
import "./errors.ts";
import "./live.ts";
import "./ad-configuration.ts";
import "./audit-event.ts";
import "./channel.ts";
import "./job.ts";
import "./playback-key-pair.ts";
import "./playback-restriction-policy.ts";
import "./playback-token.ts";
import "./recording-configuration.ts";
import "./stream.ts";
import "./stream-key.ts";
import "./stream-session.ts";
import "./tags.ts";
import "./viewer-session.ts";

/** The whole gateway schema. Each file above adds its types and fields to the one builder. */
export const schema = builder.toSchema({ sortSchema: false });
