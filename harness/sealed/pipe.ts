/**
 * Frames over a pair of named pipes, read and written synchronously: each frame is a 4-byte
 * little-endian length and that many bytes of UTF-8 JSON. Both sides block in read until the
 * other writes, which is what makes a step a plain function call on the judging side.
 */
import * as fs from "node:fs";

/** Taken when the runtime loads, before any graded module: graded code may replace JSON's. */
const stringify = JSON.stringify;
const parse = JSON.parse;
const HEADER = 4;
/** No honest frame comes near this: a larger length means the stream is not the protocol's. */
const MAX_FRAME = 256 * 1024 * 1024;

export class PipeClosed extends Error {
  constructor() {
    super("the other side of the pipe closed");
    this.name = "PipeClosed";
  }
}

export class SyncPipe {
  private buf = Buffer.alloc(1 << 16);

  constructor(
    private readonly readFd: number,
    private readonly writeFd: number,
  ) {}

  write(frame: unknown): void {
    const body = Buffer.from(stringify(frame), "utf8");
    const out = Buffer.allocUnsafe(HEADER + body.length);
    out.writeUInt32LE(body.length, 0);
    body.copy(out, HEADER);
    let off = 0;
    try {
      while (off < out.length) off += fs.writeSync(this.writeFd, out, off, out.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EPIPE") throw new PipeClosed();
      throw e;
    }
  }

  /** The next frame; throws PipeClosed when the other side is gone. */
  read<T>(): T {
    this.readFully(HEADER);
    const length = this.buf.readUInt32LE(0);
    if (length > MAX_FRAME)
      throw new Error(
        `a frame of ${length} bytes, more than the protocol allows (${MAX_FRAME}): not a frame of the protocol`,
      );
    if (this.buf.length < length) this.buf = Buffer.alloc(Math.max(length, this.buf.length * 2));
    this.readFully(length);
    return parse(this.buf.toString("utf8", 0, length)) as T;
  }

  private readFully(n: number): void {
    let got = 0;
    while (got < n) {
      let r: number;
      try {
        r = fs.readSync(this.readFd, this.buf, got, n - got, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN" || code === "EINTR") continue;
        throw e;
      }
      if (r === 0) throw new PipeClosed();
      got += r;
    }
  }

  close(): void {
    for (const fd of [this.readFd, this.writeFd]) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}
