import { GetPlaybackRestrictionPolicyCommand, type IvsClient } from "@aws-sdk/client-ivs";
import { MODEL } from "../../model/ivs-model.generated.ts";
import { checkShape } from "../../model/validate.ts";
import { singleLoader } from "./batch.ts";

/** PlaybackRestrictionPolicy by ARN → GetPlaybackRestrictionPolicy, once per ARN per request. */
export function playbackRestrictionPolicyLoader(ivs: IvsClient) {
  return singleLoader(async (arn: string) => {
    // An ARN IVS would reject names no policy: answer null without spending a request on it.
    if (checkShape(MODEL, "GetPlaybackRestrictionPolicyRequest", { arn }).length > 0) return undefined;
    const out = await ivs.send(new GetPlaybackRestrictionPolicyCommand({ arn }));
    return out.playbackRestrictionPolicy;
  });
}
