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

export interface ByteInput {
  /** decompressed bytes */
  chunks: Chunks;
  compression: Compression;
  /** size on disk, when known */
  size: number | null;
  /** compressed bytes consumed so far (for progress) */
  consumed(): number;
}

export async function openBytes(path: string): Promise<ByteInput> {
  let consumed = 0;
  const size = path === '-' ? null : (await stat(path)).size;
  const raw: Readable = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: CHUNK });
  const counted = countBytes(raw, (n) => (consumed += n));
  const { head, rest } = await peek(counted);
  const compression = sniffCompression(head);
  const all = prepend(head, rest);
  const chunks = compression === 'gzip' ? gunzip(all) : compression === 'zstd' ? unzstd(all) : all;
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

async function peek(src: Chunks): Promise<{ head: Uint8Array | null; rest: AsyncIterator<Uint8Array> }> {
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
  const input = Readable.from(src);
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
