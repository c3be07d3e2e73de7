import { MODEL } from "../../model/ivs-model.generated.ts";
import { checkShape } from "../../model/validate.ts";

/** Verdicts kept; past this many the memo starts over (the keys are the callers' strings). */
const MAX_ENTRIES = 10_000;
/** Longer values (no IVS ARN is) are checked every time rather than kept. */
const MAX_LENGTH = 256;
const verdicts = new Map<string, boolean>();

/**
 * Whether `{ [member]: value }` passes the model shape's constraints (`checkShape` finds nothing), as
 * `checkShape` answers it: a pure function of the shape and the value, so remembered across requests.
 * A page asks this of the same channel ARNs on every request (each channel's `stream` and `isLive`).
 */
export function wellFormed(shape: string, member: string, value: string): boolean {
  if (value.length > MAX_LENGTH) return checkShape(MODEL, shape, { [member]: value }).length === 0;
  const key = `${shape} ${member} ${value}`;
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = checkShape(MODEL, shape, { [member]: value }).length === 0;
    if (verdicts.size >= MAX_ENTRIES) verdicts.clear();
    verdicts.set(key, verdict);
  }
  return verdict;
}
