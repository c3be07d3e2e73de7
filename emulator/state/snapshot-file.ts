import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { parseJson, StateFileError } from "./file-errors.ts";
import type { StateSnapshot } from "./types.ts";

const RESOURCE_LISTS = [
  "channels",
  "streamKeys",
  "recordingConfigurations",
  "playbackKeyPairs",
  "playbackRestrictionPolicies",
  "adConfigurations",
] as const;

/** Reads the state file, or undefined when there is none; a file of another version or shape is an error. */
export function readSnapshot(file: string): StateSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = parseJson(file, readFileSync(file, "utf8"));
  if (!isObject(parsed)) throw new StateFileError(file, "expected a JSON object");
  if (parsed.version !== 1) {
    const shown = typeof parsed.version === "number" ? String(parsed.version) : typeof parsed.version;
    throw new StateFileError(file, `unsupported version ${shown}`);
  }
  const wrong = (field: string, what: string) => new StateFileError(file, `"${field}" must be ${what}`);
  if (!Number.isInteger(parsed.seq)) throw wrong("seq", "a whole number");
  if (!isObject(parsed.order) || !Object.values(parsed.order).every(Number.isInteger))
    throw wrong("order", "an object of whole numbers");
  for (const list of RESOURCE_LISTS)
    if (!isListOf(parsed[list], "arn")) throw wrong(list, 'a list of objects with a string "arn"');
  if (!isListOf(parsed.streams, "channelArn"))
    throw wrong("streams", 'a list of objects with a "channelArn"');
  if (!isObject(parsed.sessions) || !Object.values(parsed.sessions).every(Array.isArray))
    throw wrong("sessions", "an object of lists");
  return parsed as unknown as StateSnapshot;
}

/**
 * Writes the state file atomically and durably: a synced temp file renamed over the old one, then the
 * directory synced, so a crash leaves the old file or the new one, never a part of either. Returns its size.
 */
export function writeSnapshot(file: string, snapshot: StateSnapshot): number {
  const tmp = `${file}.tmp`;
  const data = Buffer.from(JSON.stringify(snapshot));
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  syncDirectory(dirname(file));
  return data.length;
}

/** Makes a rename or a new file in `dir` durable. Some file systems refuse to sync a directory: then skip. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // not supported here (e.g. some network or Windows file systems); the data itself is synced
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isListOf(v: unknown, key: string): boolean {
  return Array.isArray(v) && v.every((item) => isObject(item) && typeof item[key] === "string");
}
