/**
 * A gateway process's memory after a full garbage collection, asked over its inspector (started with
 * `--inspect=127.0.0.1:0`): the DevTools protocol's HeapProfiler.collectGarbage, then process.memoryUsage().
 * /metrics alone reads the heap whenever it is asked, garbage included, so per-subscriber figures from it
 * swing with the collector's timing.
 */
import WebSocket from "ws";

export interface MemoryAfterGc {
  rss: number;
  heapUsed: number;
}

/** The inspector's address as Node prints it on stderr ("Debugger listening on ws://…"). */
export function inspectorUrlIn(stderr: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
}

export async function memoryAfterGc(inspectorUrl: string): Promise<MemoryAfterGc> {
  const socket = new WebSocket(inspectorUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  let next = 0;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++next;
      const onMessage = (raw: WebSocket.RawData) => {
        const message = JSON.parse(raw.toString()) as {
          id?: number;
          result?: Record<string, unknown>;
          error?: unknown;
        };
        if (message.id !== id) return;
        socket.off("message", onMessage);
        if (message.error) reject(new Error(`${method}: ${JSON.stringify(message.error)}`));
        else resolve(message.result ?? {});
      };
      socket.on("message", onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call("HeapProfiler.collectGarbage");
    const evaluated = await call("Runtime.evaluate", {
      expression: "JSON.stringify(process.memoryUsage())",
      returnByValue: true,
    });
    const usage = JSON.parse((evaluated.result as { value: string }).value) as NodeJS.MemoryUsage;
    return { rss: usage.rss, heapUsed: usage.heapUsed };
  } finally {
    // Detached at once: a process with a session attached waits for it at exit.
    socket.close();
  }
}
