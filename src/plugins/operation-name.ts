/** Longest operation name (or other client-chosen label) kept in metrics and logs. */
export const MAX_NAME_LENGTH = 64;

/** Marks a name cut to MAX_NAME_LENGTH: the first 63 characters and this. */
export const CUT_MARK = "…";

/**
 * A name a client chose, bounded for metric labels and log lines: names longer than `max` characters
 * are cut to their first `max - 1` and `…` (never inside a surrogate pair), so a 60,000-character
 * name costs what a 64-character one does. A missing or empty name is `anonymous`.
 */
export function operationLabel(name: string | null | undefined, max = MAX_NAME_LENGTH): string {
  if (!name) return "anonymous";
  return clip(name, max);
}

/** `text` cut to at most `max` characters (UTF-16 units), the last one `…` when anything was cut. */
export function clip(text: string, max = MAX_NAME_LENGTH): string {
  if (text.length <= max) return text;
  let end = max - CUT_MARK.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}${CUT_MARK}`;
}
