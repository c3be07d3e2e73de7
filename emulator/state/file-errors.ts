/**
 * A state file or write-ahead log the emulator cannot use. The message names the file, where in it and
 * what is wrong, and never quotes the file: it holds stream key values (JSON.parse's own messages quote
 * the text, so they are never passed on).
 */
export class StateFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`state file ${file}: ${detail}`);
    this.name = "StateFileError";
  }
}

/** Where `text` stops being JSON, found by a scan of its own, so that no parser message leaks its text. */
export function jsonSyntaxError(text: string): { index: number; reason: string } {
  let i = 0;
  const fail = (reason: string): never => {
    throw new Located(i, reason);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text.charAt(i))) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail("unexpected character");
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail("control character in a string");
      if (c === 0x5c) {
        const e = text.charAt(i + 1);
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("invalid \\u escape");
          i += 6;
        } else if ('"\\/bfnrt'.includes(e) && e !== "") i += 2;
        else fail("invalid escape");
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail("invalid number");
    i += m[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10_000) fail("nested too deeply");
    ws();
    if (i >= text.length) fail("unexpected end of file");
    const c = text.charAt(i);
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      if (text.charAt(i) === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === "{") {
          ws();
          if (text.charAt(i) !== '"') fail(i >= text.length ? "unexpected end of file" : "expected a key");
          string();
          ws();
          if (text.charAt(i) !== ":") fail(i >= text.length ? "unexpected end of file" : "expected ':'");
          i++;
        }
        value(depth + 1);
        ws();
        const next = text.charAt(i);
        if (next === ",") i++;
        else if (next === close) {
          i++;
          return;
        } else fail(i >= text.length ? "unexpected end of file" : `expected ',' or '${close}'`);
      }
    }
    if (c === '"') string();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else if (c === "-" || (c >= "0" && c <= "9")) number();
    else fail("unexpected character");
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail("unexpected data after the JSON value");
  } catch (error) {
    if (error instanceof Located) return { index: error.index, reason: error.reason };
    if (error instanceof RangeError) return { index: i, reason: "nested too deeply" };
    throw error;
  }
  return { index: text.length, reason: "not valid JSON" };
}

class Located {
  constructor(
    readonly index: number,
    readonly reason: string,
  ) {}
}

/** "byte 1234 (line 3, column 17)" for a string index into `text` read from a UTF-8 file. */
export function position(text: string, index: number, baseByte = 0, baseLine = 1): string {
  const before = text.slice(0, index);
  const line = baseLine + (before.match(/\n/g)?.length ?? 0);
  const column = index - (before.lastIndexOf("\n") + 1) + 1;
  return `byte ${baseByte + Buffer.byteLength(before)} (line ${line}, column ${column})`;
}

/** Parses JSON or throws a StateFileError that locates the first error without quoting the file. */
export function parseJson(file: string, text: string, baseByte = 0, baseLine = 1): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const { index, reason } = jsonSyntaxError(text);
    throw new StateFileError(
      file,
      `not valid JSON at ${position(text, index, baseByte, baseLine)}: ${reason}`,
    );
  }
}
