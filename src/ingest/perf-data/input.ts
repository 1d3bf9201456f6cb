// Reading a perf.data by offset: its header points at sections anywhere in
// the file (the event formats come after the data), so the reader reads
// sections by offset and streams the data section in chunks. A plain file is
// read in place; a gzip or zstd one is decompressed again for each section it
// asks for (a perf.data is read in three or four passes, never held whole).

import { type FileHandle, open } from 'node:fs/promises';
import { InputError } from '../../common/errors.js';
import { type ByteInput, openBytes } from '../source/bytes-in.js';
import type { Section } from './header.js';

const CHUNK = 1 << 20;

const firstLine = (e: unknown): string => String((e as Error).message ?? e).split('\n')[0]!;

export interface SectionReader {
  /** bytes on disk, when known */
  readonly size: number | null;
  /** bytes of the file read so far (progress) */
  consumed(): number;
  /** The bytes of a section (small ones: header, attrs, features); short when the file ends first. */
  read(s: Section): Promise<Uint8Array>;
  /** A section's bytes in order, in chunks. */
  stream(s: Section): AsyncGenerator<Uint8Array>;
  close(): Promise<void>;
}

export async function openSections(path: string, compressed: boolean): Promise<SectionReader> {
  if (path === '-') throw new InputError(path, 0, 'a perf.data on standard input: give it as a file (its header points to sections by offset)');
  return compressed ? new Recompressed(path) : PlainFile.open(path);
}

class PlainFile implements SectionReader {
  private done = 0;
  private constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<PlainFile> {
    const fh = await open(path, 'r');
    return new PlainFile(fh, (await fh.stat()).size);
  }

  consumed(): number {
    return this.done;
  }

  async read(s: Section): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(s.size, this.size - s.offset));
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await this.fh.read(out, got, n - got, s.offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === n ? out : out.subarray(0, got);
  }

  async *stream(s: Section): AsyncGenerator<Uint8Array> {
    const end = Math.min(s.offset + s.size, this.size);
    for (let at = s.offset; at < end; ) {
      const chunk = await this.read({ offset: at, size: Math.min(CHUNK, end - at) });
      if (chunk.length === 0) return;
      at += chunk.length;
      this.done = at;
      yield chunk;
    }
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** A compressed perf.data: each section is read by decompressing from the start and skipping to it. */
class Recompressed implements SectionReader {
  readonly size = null;
  private done = 0;
  constructor(private readonly path: string) {}

  consumed(): number {
    return this.done;
  }

  async read(s: Section): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let n = 0;
    for await (const c of this.stream(s)) {
      parts.push(c.slice());
      n += c.length;
    }
    return Buffer.concat(parts, n);
  }

  async *stream(s: Section): AsyncGenerator<Uint8Array> {
    const input = await openBytes(this.path);
    const chunks = input.chunks[Symbol.asyncIterator]();
    try {
      yield* this.section(input, chunks, s);
    } finally {
      await chunks.return?.();
    }
  }

  private async *section(input: ByteInput, chunks: AsyncIterator<Uint8Array>, s: Section): AsyncGenerator<Uint8Array> {
    const end = s.offset + s.size;
    let at = 0;
    for (;;) {
      let c: Uint8Array;
      try {
        const r = await chunks.next();
        if (r.done) return;
        c = r.value;
      } catch (e) {
        // zlib's Z_DATA_ERROR / Z_BUF_ERROR, fzstd's errors: the compressed stream is damaged or cut.
        throw new InputError(this.path, 0, `cannot read: the compressed perf.data is corrupt or truncated after ${at} decompressed bytes (${firstLine(e)})`);
      }
      const from = Math.max(at, s.offset);
      const to = Math.min(at + c.length, end);
      if (to > from) {
        this.done = Math.max(this.done, input.consumed());
        yield c.subarray(from - at, to - at);
      }
      at += c.length;
      if (at >= end) return;
    }
  }

  async close(): Promise<void> {}
}
