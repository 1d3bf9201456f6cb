// Where a trace's bytes come from: a file or standard input, read in large
// chunks, with gzip and zstd decompression as readers that wrap another reader
// (picked by the stream's magic bytes, not by the file name).

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { Decompress } from 'fzstd';

export type Chunks = AsyncIterable<Uint8Array>;
export type Compression = 'none' | 'gzip' | 'zstd';

const CHUNK = 1 << 20;
/**
 * Compressed input goes to the decompressor in slices this small, and with
 * little read-ahead, so the bytes counted as consumed follow the bytes
 * decoded (a progress display moves steadily even for a few-MB file).
 */
const COMPRESSED_SLICE = 64 << 10;

export interface ByteInput {
  /** decompressed bytes */
  chunks: Chunks;
  compression: Compression;
  /** size on disk, when known */
  size: number | null;
  /** bytes of the file consumed so far (for progress): for compressed input, those handed to the decompressor */
  consumed(): number;
}

export async function openBytes(path: string): Promise<ByteInput> {
  let consumed = 0;
  const size = path === '-' ? null : (await stat(path)).size;
  const raw: Readable = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: CHUNK });
  const { head, rest } = await peek(raw);
  const compression = sniffCompression(head);
  const all = prepend(head, rest);
  const add = (n: number) => (consumed += n);
  const chunks =
    compression === 'gzip' ? gunzip(countBytes(slices(all), add)) : compression === 'zstd' ? unzstd(countBytes(slices(all), add)) : countBytes(all, add);
  return { chunks, compression, size, consumed: () => consumed };
}

export function sniffCompression(head: Uint8Array | null): Compression {
  if (!head || head.length < 4) return 'none';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

async function* countBytes(src: AsyncIterable<Buffer | Uint8Array>, add: (n: number) => void): Chunks {
  for await (const c of src) {
    add(c.length);
    yield c;
  }
}

async function* slices(src: Chunks): Chunks {
  for await (const c of src) {
    for (let at = 0; at < c.length; at += COMPRESSED_SLICE) yield c.subarray(at, Math.min(c.length, at + COMPRESSED_SLICE));
  }
}

async function peek(src: AsyncIterable<Uint8Array>): Promise<{ head: Uint8Array | null; rest: AsyncIterator<Uint8Array> }> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  return { head: first.done ? null : first.value, rest: it };
}

async function* prepend(head: Uint8Array | null, rest: AsyncIterator<Uint8Array>): Chunks {
  if (head) yield head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

/** gzip (every member of a concatenated file) through zlib. */
export async function* gunzip(src: Chunks): Chunks {
  const z = createGunzip({ chunkSize: CHUNK });
  // Byte mode with a tiny buffer: the stream reads one slice ahead, not sixteen.
  const input = Readable.from(src, { objectMode: false, highWaterMark: 1 });
  input.on('error', (e) => z.destroy(e));
  yield* input.pipe(z) as AsyncIterable<Buffer>;
}

/** zstd frames through fzstd's streaming decompressor. */
export async function* unzstd(src: Chunks): Chunks {
  const out: Uint8Array[] = [];
  const d = new Decompress((chunk) => {
    out.push(chunk);
  });
  for await (const c of src) {
    d.push(c);
    while (out.length) yield out.shift()!;
  }
  d.push(new Uint8Array(0), true);
  while (out.length) yield out.shift()!;
}
