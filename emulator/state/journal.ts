import {
  closeSync,
  existsSync,
  fdatasync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  write,
} from "node:fs";
import { dirname } from "node:path";
import { parseJson, StateFileError } from "./file-errors.ts";
import { syncDirectory } from "./snapshot-file.ts";
import { COLLECTIONS, type Collection, type StateChange } from "./types.ts";

/** What a write-ahead log holds: its complete lines, and the torn last one a crash mid-append leaves. */
export interface JournalContents {
  changes: StateChange[];
  /** Where an incomplete last line began (dropped: it was never acknowledged). */
  torn?: { byte: number; line: number };
}

/**
 * Reads a write-ahead log: one JSON StateChange per line, each ending in "\n". A last line without its
 * "\n" is the torn tail of an interrupted append and is dropped; any other bad line is an error.
 */
export function readJournal(file: string): JournalContents {
  if (!existsSync(file)) return { changes: [] };
  const data = readFileSync(file);
  const changes: StateChange[] = [];
  let start = 0;
  let line = 1;
  for (;;) {
    const end = data.indexOf(0x0a, start);
    if (end < 0) break;
    const text = data.subarray(start, end).toString("utf8");
    if (text.trim() !== "") {
      const parsed = parseJson(file, text, start, line);
      const problem = shapeProblem(parsed);
      if (problem)
        throw new StateFileError(file, `line ${line} (byte ${start}) is not a state change: ${problem}`);
      changes.push(parsed as StateChange);
    }
    start = end + 1;
    line++;
  }
  return start < data.length ? { changes, torn: { byte: start, line } } : { changes };
}

/** The write-ahead log's file: appends synced to disk, so an acknowledged change survives a crash. */
export class Journal {
  private fd: number | undefined;
  /** Bytes in the file, all of them complete lines. */
  bytes = 0;

  constructor(readonly file: string) {}

  open(): void {
    const existed = existsSync(this.file);
    this.fd = openSync(this.file, "a", 0o600);
    this.bytes = fstatSync(this.fd).size;
    if (!existed) syncDirectory(dirname(this.file));
  }

  /** Appends complete lines and waits until they are on disk. A failed append is cut back off the file. */
  async append(lines: string): Promise<void> {
    const fd = this.requireOpen();
    const data = Buffer.from(lines);
    try {
      let done = 0;
      while (done < data.length)
        done += await callback<number>((cb) => write(fd, data, done, data.length - done, null, cb));
      await callback<void>((cb) => fdatasync(fd, cb));
      this.bytes += data.length;
    } catch (error) {
      try {
        ftruncateSync(fd, this.bytes);
      } catch {
        // the next open reports what is left
      }
      throw error;
    }
  }

  /** Empties the log once a state file holds everything in it. */
  truncate(): void {
    const fd = this.requireOpen();
    ftruncateSync(fd, 0);
    fsyncSync(fd);
    this.bytes = 0;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private requireOpen(): number {
    if (this.fd === undefined) throw new Error(`the write-ahead log ${this.file} is not open`);
    return this.fd;
  }
}

function callback<T>(
  run: (cb: (error: NodeJS.ErrnoException | null, value?: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) =>
    run((error, value) => (error ? reject(error) : resolve(value as T))),
  );
}

const KNOWN = new Set<string>(COLLECTIONS);

/** Why a parsed line is not a StateChange (without quoting it), or undefined. */
function shapeProblem(v: unknown): string | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "expected a JSON object";
  const c = v as Record<string, unknown>;
  if (!Number.isInteger(c.seq)) return '"seq" must be a whole number';
  if (c.reset !== undefined && c.reset !== true) return '"reset" must be true when present';
  if (!Array.isArray(c.del) || !c.del.every((d) => isEntry(d, 2)))
    return '"del" must be a list of [collection, key]';
  if (!Array.isArray(c.put) || !c.put.every((p) => isEntry(p, 3) && isValue(p[0], p[2])))
    return '"put" must be a list of [collection, key, value]';
  return undefined;
}

function isEntry(v: unknown, length: number): v is [Collection, string, unknown] {
  return Array.isArray(v) && v.length === length && KNOWN.has(v[0]) && typeof v[1] === "string";
}

function isValue(collection: Collection, value: unknown): boolean {
  if (collection === "order") return Number.isInteger(value);
  if (collection === "sessions") return Array.isArray(value);
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
