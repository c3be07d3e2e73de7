import { Journal, readJournal } from "./journal.ts";
import { readSnapshot, writeSnapshot } from "./snapshot-file.ts";
import type { Store } from "./store.ts";

export interface PersistenceOptions {
  /** The state file (a JSON snapshot); the write-ahead log is `<file>.wal` beside it. */
  file: string;
  /** Log size that folds the log into the state file. Default the larger of 8 MiB and twice the state file. */
  compactBytes?: number;
  /** Where the one notice about a torn log tail goes. Default console.warn. */
  warn?: (message: string) => void;
}

const MIN_COMPACT_BYTES = 8 * 1024 * 1024;

interface Waiters {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Keeps a store in a state file without losing an acknowledged write. Every change is appended to a
 * write-ahead log and synced before the write is answered; writes that arrive while one sync runs share
 * the next (group commit), so the cost is one append and one fdatasync per batch, whatever the state's
 * size. The log is folded into the state file (atomic rename) at open, at close and when it grows past
 * `compactBytes`. A crash loses only writes whose answer was never sent.
 */
export class Persistence {
  private readonly journal: Journal;
  private opened = false;
  private snapshotBytes = 0;
  /** Callers waiting for the next flush, which has not captured the store yet. */
  private next: Waiters | undefined;
  private flushing: Promise<void> | undefined;
  /** Captured lines not yet on disk (a failed append is retried with the next batch). */
  private unwritten = "";

  constructor(
    private readonly store: Store,
    private readonly options: PersistenceOptions,
  ) {
    this.journal = new Journal(`${options.file}.wal`);
  }

  /** Loads the state file, replays the log over it, folds both into a new state file and starts logging. */
  open(): void {
    if (this.opened) return;
    const snapshot = readSnapshot(this.options.file);
    const contents = readJournal(this.journal.file);
    if (snapshot) this.store.restore(snapshot);
    for (const change of contents.changes) this.store.apply(change);
    if (contents.torn) {
      const { byte, line } = contents.torn;
      (this.options.warn ?? console.warn)(
        `[ivs-emulator] state file ${this.journal.file}: dropped an incomplete last record at byte ${byte} ` +
          `(line ${line}), left by a crash during its write and never acknowledged; ` +
          `kept the ${contents.changes.length} records before it`,
      );
    }
    this.journal.open();
    this.opened = true;
    if (!snapshot || this.journal.bytes > 0) this.compact();
    this.store.track(true);
  }

  /** Resolves once every change made so far is on disk. */
  durable(): Promise<void> {
    if (!this.opened) return Promise.resolve();
    if (!this.next) {
      let resolve = () => {};
      let reject: (error: unknown) => void = () => {};
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.next = { promise, resolve, reject };
    }
    const { promise } = this.next;
    this.flushing ??= this.flushLoop();
    return promise;
  }

  /** Logs changes nobody waits for (broadcast timers) as soon as the log is free. */
  touch(): void {
    this.durable().catch((error: unknown) =>
      console.error("[ivs-emulator] could not write the state file's log:", error),
    );
  }

  /** Waits for pending writes, folds the log into the state file and stops logging. */
  async close(): Promise<void> {
    if (!this.opened) return;
    while (this.flushing) await this.flushing;
    try {
      this.compact();
    } finally {
      this.store.track(false);
      this.journal.close();
      this.opened = false;
    }
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.next) {
        const batch = this.next;
        this.next = undefined;
        try {
          await this.flush();
          batch.resolve();
        } catch (error) {
          batch.reject(error);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async flush(): Promise<void> {
    const change = this.store.changes();
    if (change) this.unwritten += `${JSON.stringify(change)}\n`;
    if (this.unwritten === "") return;
    const limit = this.options.compactBytes ?? Math.max(MIN_COMPACT_BYTES, 2 * this.snapshotBytes);
    if (this.journal.bytes + this.unwritten.length > limit) {
      this.compact();
      return;
    }
    await this.journal.append(this.unwritten);
    this.unwritten = "";
  }

  /** Synchronous, so no change slips in between the snapshot and the emptied log. */
  private compact(): void {
    this.snapshotBytes = writeSnapshot(this.options.file, this.store.snapshot());
    this.store.changes();
    this.unwritten = "";
    this.journal.truncate();
  }
}
