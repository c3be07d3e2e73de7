import type { RecordingConfiguration } from "@aws-sdk/client-ivs";
import { violations } from "../ivs/validate.ts";
import type { Mirror } from "../mirror/mirror.ts";
import { mirrorLoader } from "./batch.ts";

/** Full recording configurations by ARN from the mirror; what it lacks comes from GetRecordingConfiguration. */
export function recordingConfigurationLoader(mirror: Mirror) {
  // An ARN IVS would reject names no configuration: answer null without spending a request on it.
  return mirrorLoader<RecordingConfiguration>(
    (arn) => mirror.full("recording-configuration", arn) as Promise<RecordingConfiguration | null>,
    (arn) => violations("GetRecordingConfigurationRequest", { arn }).length === 0,
    (arn) => mirror.heldFull("recording-configuration", arn) as RecordingConfiguration | null | undefined,
  );
}
