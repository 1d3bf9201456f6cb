// A zstd-compressing stream for generated traces: text is gathered into
// blocks of a few MiB, each compressed as one zstd frame on libuv's thread
// pool (@mongodb-js/zstd, native). Frames one after another are one valid
// zstd stream, which every zstd reader (the project's own, zstd(1)) reads whole.

import { Transform, type TransformCallback } from 'node:stream';
import { compress } from '@mongodb-js/zstd';

/** Bytes gathered before a frame is compressed. */
export const ZSTD_BLOCK = 4 << 20;
/** zstd's level 3, its own default: fast, and about as small as gzip -6. */
export const ZSTD_LEVEL = 3;

export class ZstdStream extends Transform {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly block = ZSTD_BLOCK) {
    super();
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.parts.push(b);
    this.size += b.length;
    if (this.size < this.block) return done();
    this.flushFrame().then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    this.flushFrame().then(() => done(), done);
  }

  private async flushFrame(): Promise<void> {
    if (this.size === 0) return;
    const data = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.push(await compress(data, ZSTD_LEVEL));
  }
}
