/** `redis://user:secret@host:6379/0` → `redis://user:***@host:6379/0`; what is not a URL is left out. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.href;
  } catch {
    return "(not a URL)";
  }
}

/** Masks any credentials of a URL that a message carries (`scheme://user:pass@` → `scheme://user:***@`). */
export function redactRedisText(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/gi, "$1:***@");
}
