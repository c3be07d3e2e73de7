import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";

/**
 * A text message as a server sends it: one final, unmasked frame (RFC 6455 §5.2), the bytes `ws` writes
 * for `send(text)` without compression. Made once, it can be written to every socket that gets the same
 * message, instead of `ws` encoding and framing the text again for each.
 */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt16BE(0, 2);
    frame.writeUIntBE(length, 4, 6);
  }
  frame.write(text, head, "utf8");
  return frame;
}

/** A message both framed (for a direct write) and as text (for `ws`'s own send). */
export interface FramedText {
  frame: Buffer;
  text: string;
}

export function framedText(text: string): FramedText {
  return { frame: textFrame(text), text };
}

/** The parts of a `ws` WebSocket a direct write depends on (ws 8: lib/websocket.js, lib/sender.js). */
interface WsInternals {
  _socket?: Duplex | null;
  _sender?: { _state?: unknown; _queue?: unknown } | null;
}

/** ws's Sender state when it is not compressing or reading a Blob, and so writes each send at once. */
const SENDER_IDLE = 0;

/**
 * Whether a frame can be written straight to this socket's TCP stream in the place `send` would put it:
 * `ws`'s sender is idle with nothing queued (it queues only while compressing, which this server does not
 * do, or while reading a Blob, which it never sends). False on a `ws` whose internals differ.
 */
export function canWriteFramed(socket: WebSocket): boolean {
  const { _socket: stream, _sender: sender } = socket as unknown as WsInternals;
  return (
    stream != null &&
    sender != null &&
    sender._state === SENDER_IDLE &&
    Array.isArray(sender._queue) &&
    sender._queue.length === 0
  );
}

/**
 * Sends a message on an open socket: its ready frame written straight to the TCP stream where that is
 * the same as `send` (one write, no copy), else through `send`. `done` runs once the bytes are handed
 * to the operating system (or the write failed), as `send`'s callback does.
 */
export function sendFramed(
  socket: WebSocket,
  message: FramedText,
  done: (error?: Error | null) => void,
): void {
  if (canWriteFramed(socket)) (socket as unknown as WsInternals)._socket?.write(message.frame, done);
  else socket.send(message.text, done);
}
