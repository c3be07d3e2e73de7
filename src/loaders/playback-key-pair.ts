import { GetPlaybackKeyPairCommand, type IvsClient } from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { checkShape } from "../../model/validate.ts";
import { singleLoader } from "./batch.ts";

/** PlaybackKeyPair by ARN → GetPlaybackKeyPair, once per ARN per request. */
export function playbackKeyPairLoader(ivs: IvsClient) {
  return singleLoader(async (arn: string) => {
    // An ARN IVS would reject names no key pair: answer null without spending a request on it.
    if (checkShape(MODEL, "GetPlaybackKeyPairRequest", { arn }).length > 0) return undefined;
    const out = await ivs.send(new GetPlaybackKeyPairCommand({ arn }));
    return out.keyPair;
  });
}
