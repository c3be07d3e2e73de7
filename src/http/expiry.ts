import type { WebSocket } from "ws";

/** setTimeout's longest delay (about 24.8 days); a later expiry is waited for in steps of this. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Ends sockets when their credentials expire. Sockets whose tokens expire at the same moment share one
 * timer (a JWT's `exp` is whole seconds, so every socket of one token, and of tokens minted in the same
 * second, shares it), instead of a timer and its closures per socket. An expiry beyond setTimeout's
 * range is waited for in steps, not fired at once.
 */
export class ExpiryClock {
  private readonly due = new Map<number, { timer: NodeJS.Timeout; sockets: Set<WebSocket> }>();
  private readonly at = new WeakMap<WebSocket, number>();

  constructor(private readonly onExpired: (socket: WebSocket) => void) {}

  /** Ends `socket` (with `onExpired`) at `expiresAt` (ms since the epoch). */
  add(socket: WebSocket, expiresAt: number): void {
    this.remove(socket);
    let entry = this.due.get(expiresAt);
    if (!entry) {
      entry = { timer: this.arm(expiresAt), sockets: new Set() };
      this.due.set(expiresAt, entry);
    }
    entry.sockets.add(socket);
    this.at.set(socket, expiresAt);
  }

  /** Forgets `socket` (it closed): its moment's timer goes when no socket is left on it. */
  remove(socket: WebSocket): void {
    const expiresAt = this.at.get(socket);
    if (expiresAt === undefined) return;
    this.at.delete(socket);
    const entry = this.due.get(expiresAt);
    if (!entry) return;
    entry.sockets.delete(socket);
    if (entry.sockets.size > 0) return;
    clearTimeout(entry.timer);
    this.due.delete(expiresAt);
  }

  /** Timers running (one per distinct expiry), for tests. */
  get timers(): number {
    return this.due.size;
  }

  stop(): void {
    for (const entry of this.due.values()) clearTimeout(entry.timer);
    this.due.clear();
  }

  private arm(expiresAt: number): NodeJS.Timeout {
    const timer = setTimeout(
      () => this.fire(expiresAt),
      Math.min(MAX_DELAY_MS, Math.max(0, expiresAt - Date.now())),
    );
    timer.unref();
    return timer;
  }

  private fire(expiresAt: number): void {
    const entry = this.due.get(expiresAt);
    if (!entry) return;
    if (expiresAt > Date.now()) {
      entry.timer = this.arm(expiresAt);
      return;
    }
    this.due.delete(expiresAt);
    for (const socket of entry.sockets) {
      this.at.delete(socket);
      this.onExpired(socket);
    }
  }
}
