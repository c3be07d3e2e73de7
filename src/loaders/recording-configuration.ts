import type { RecordingConfiguration } from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { checkShape } from "../../model/validate.ts";
import type { IvsReads } from "../ivs/reads.ts";
import { lookupLoader } from "./batch.ts";

/** RecordingConfiguration by ARN → GetRecordingConfiguration, shared with concurrent requests (coalescing and cache). */
export function recordingConfigurationLoader(reads: IvsReads) {
  // An ARN IVS would reject names no configuration: answer null without spending a request on it.
  return lookupLoader<RecordingConfiguration>(
    reads.recordingConfiguration,
    (arn) => checkShape(MODEL, "GetRecordingConfigurationRequest", { arn }).length === 0,
  );
}
