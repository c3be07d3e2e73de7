import type { ShapeName } from "../../model/ivs-model.generated.ts";
import { violations } from "../ivs/validate.ts";

/** Verdicts kept; past this many the memo starts over (the keys are the callers' strings). */
const MAX_ENTRIES = 10_000;
/** Longer values (no IVS ARN is) are checked every time rather than kept. */
const MAX_LENGTH = 256;
/** Per shape and member, each value's verdict (keyed by the value itself: no key string per call). */
const verdicts = new Map<string, Map<string, Map<string, boolean>>>();
let kept = 0;

/**
 * Whether `{ [member]: value }` passes the model shape's constraints (`violations` finds nothing), as
 * `violations` answers it: a pure function of the shape and the value, so remembered across requests.
 * A page asks this of the same channel ARNs on every request (each channel's `stream` and `isLive`).
 */
export function wellFormed(shape: ShapeName, member: string, value: string): boolean {
  if (value.length > MAX_LENGTH) return violations(shape, { [member]: value }).length === 0;
  let members = verdicts.get(shape);
  if (!members) {
    members = new Map();
    verdicts.set(shape, members);
  }
  let known = members.get(member);
  if (!known) {
    known = new Map();
    members.set(member, known);
  }
  let verdict = known.get(value);
  if (verdict === undefined) {
    verdict = violations(shape, { [member]: value }).length === 0;
    if (kept >= MAX_ENTRIES) {
      for (const m of verdicts.values()) for (const values of m.values()) values.clear();
      kept = 0;
    }
    known.set(value, verdict);
    kept += 1;
  }
  return verdict;
}
