// Joining Parquet files of one schema into one file without re-encoding a
// value. A Parquet file is `PAR1`, a body (column chunks, then whatever the
// writer puts after them: DuckDB writes bloom filters), the thrift-compact
// FileMetaData footer, its length, `PAR1`. Everything in the footer that
// points into the body is an absolute file offset, so the parts' bodies are
// laid end to end and one footer is written with each part's row groups
// shifted by where its body landed. Rows keep the order of the parts.
//
// The first part becomes the joined file by a rename (one part: nothing else
// is done); from the second on, the joined file loses the first part's
// footer and each further body is appended. Row groups are kept encoded
// until the footer is written, so memory holds a footer's worth of bytes,
// not decoded structures.

import { type FileHandle, open, rename, rm, truncate } from 'node:fs/promises';
import { decodeStruct, encodeStruct, type ThriftStruct, type ThriftValue } from './thrift.js';

const MAGIC = 'PAR1';
const TAIL = 8; // footer length (u32 little-endian) and the magic
const COPY_CHUNK = 4 << 20;

// parquet.thrift field ids
const FILE = { schema: 2, numRows: 3, rowGroups: 4, encryption: 8 } as const;
const ROW_GROUP = { columns: 1, fileOffset: 5, ordinal: 7 } as const;
const CHUNK = { filePath: 1, fileOffset: 2, metaData: 3, offsetIndexOffset: 4, columnIndexOffset: 6, cryptoMetadata: 8 } as const;
const META = { dataPage: 9, indexPage: 10, dictionaryPage: 11, bloomFilter: 14 } as const;

/** A part's footer, decoded, and where its body ends. */
interface Part {
  readonly path: string;
  readonly meta: ThriftStruct;
  readonly bodyEnd: number;
}

/** One Parquet file built from parts of one schema, in the order they are added. */
export class JoinedParquet {
  private first: Part | null = null;
  private schema: Uint8Array | null = null;
  /** the joined file's row groups, encoded, once a second part came */
  private readonly rowGroups: Uint8Array[] = [];
  private size = 0;
  private rows = 0;
  private parts = 0;

  constructor(readonly target: string) {}

  /** Rows in the parts added so far. */
  get rowCount(): number {
    return this.rows;
  }

  /** Move `part` (a whole Parquet file) into the joined file; the part file is gone when this returns. */
  async add(path: string): Promise<void> {
    const part = await readPart(path);
    const schema = encodeStruct([[FILE.schema, field(part.meta, FILE.schema, path)]]);
    if (this.schema === null) this.schema = schema;
    else if (!sameBytes(schema, this.schema)) throw new Error(`parquet join: ${path} has another schema than the first part of ${this.target}`);
    const rows = Number(int(part.meta, FILE.numRows, path));
    if (this.parts === 0) {
      await rename(path, this.target);
      this.first = part;
    } else {
      if (this.parts === 1) await this.openBody();
      await appendBody(path, this.target, this.size, part.bodyEnd);
      this.keepRowGroups(part, this.size - MAGIC.length);
      this.size += part.bodyEnd - MAGIC.length;
      await rm(path);
    }
    this.parts++;
    this.rows += rows;
  }

  /** Write the joined footer (nothing to do for one part); returns the rows. */
  async finish(): Promise<number> {
    if (this.parts === 0) throw new Error(`parquet join: no parts for ${this.target}`);
    if (this.parts === 1) return this.rows;
    const meta = this.first!.meta.map(([id, value]): readonly [number, ThriftValue] => {
      if (id === FILE.numRows) return [id, { i64: this.rows }];
      if (id === FILE.rowGroups) return [id, { list: this.rowGroups.map((encoded) => ({ encoded, of: 'struct' })), of: 'struct' }];
      return [id, value];
    });
    const footer = encodeStruct(meta);
    const tail = Buffer.alloc(TAIL);
    tail.writeUInt32LE(footer.byteLength, 0);
    tail.write(MAGIC, 4, 'latin1');
    const fh = await open(this.target, 'r+');
    try {
      await writeFully(fh, Buffer.concat([footer, tail]), this.size);
    } finally {
      await fh.close();
    }
    return this.rows;
  }

  /** The second part came: the first part's body stays, its footer goes (written again, joined, at the end). */
  private async openBody(): Promise<void> {
    const first = this.first!;
    await truncate(this.target, first.bodyEnd);
    this.size = first.bodyEnd;
    this.keepRowGroups(first, 0);
  }

  private keepRowGroups(part: Part, shift: number): void {
    const groups = field(part.meta, FILE.rowGroups, part.path);
    if (!('list' in groups)) throw new Error(`parquet join: ${part.path}: row_groups is not a list`);
    for (const g of groups.list) {
      if (!('struct' in g)) throw new Error(`parquet join: ${part.path}: a row group is not a struct`);
      this.rowGroups.push(encodeStruct(shiftRowGroup(g.struct, shift, this.rowGroups.length, part.path)));
    }
  }
}

/** Join `parts` (in order) into `target`; the parts are gone afterwards. Returns the rows. */
export async function joinParquet(parts: readonly string[], target: string): Promise<number> {
  const joined = new JoinedParquet(target);
  for (const p of parts) await joined.add(p);
  return joined.finish();
}

async function readPart(path: string): Promise<Part> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const bad = (why: string) => new Error(`parquet join: ${path} is not a whole Parquet file: ${why}`);
    if (size < MAGIC.length + TAIL) throw bad(`only ${size} bytes`);
    const head = Buffer.alloc(MAGIC.length);
    await fh.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(TAIL);
    await fh.read(tail, 0, TAIL, size - TAIL);
    if (head.toString('latin1') !== MAGIC || tail.toString('latin1', 4) !== MAGIC) throw bad('no PAR1 magic at its start and end');
    const footerLength = tail.readUInt32LE(0);
    const bodyEnd = size - TAIL - footerLength;
    if (bodyEnd < MAGIC.length) throw bad(`its footer length (${footerLength}) is more than the file holds`);
    const footer = Buffer.alloc(footerLength);
    await fh.read(footer, 0, footerLength, bodyEnd);
    let meta: ThriftStruct;
    try {
      meta = decodeStruct(footer);
    } catch (e) {
      throw bad(`its footer does not decode (${(e as Error).message})`);
    }
    if (meta.some(([id]) => id === FILE.encryption)) throw new Error(`parquet join: ${path} is encrypted; encrypted parts cannot be joined`);
    return { path, meta, bodyEnd };
  } finally {
    await fh.close();
  }
}

/** A row group with every absolute offset moved by `shift` and its ordinal (when it has one) set to `ordinal`. */
function shiftRowGroup(group: ThriftStruct, shift: number, ordinal: number, path: string): ThriftStruct {
  return group.map(([id, v]): readonly [number, ThriftValue] => {
    if (id === ROW_GROUP.fileOffset) return [id, moved(v, shift)];
    if (id === ROW_GROUP.ordinal) return [id, { i16: ordinal }];
    if (id !== ROW_GROUP.columns) return [id, v];
    if (!('list' in v)) throw new Error(`parquet join: ${path}: a row group's columns are not a list`);
    return [id, { list: v.list.map((c) => ({ struct: shiftChunk(structOf(c, path), shift, path) })), of: 'struct' }];
  });
}

function shiftChunk(chunk: ThriftStruct, shift: number, path: string): ThriftStruct {
  return chunk.map(([id, v]): readonly [number, ThriftValue] => {
    if (id === CHUNK.filePath) throw new Error(`parquet join: ${path} keeps column data in another file; only self-contained parts can be joined`);
    if (id === CHUNK.cryptoMetadata) throw new Error(`parquet join: ${path} has encrypted columns; encrypted parts cannot be joined`);
    // The page index lists absolute page offsets inside the body: moving it would mean rewriting it.
    if (id === CHUNK.offsetIndexOffset || id === CHUNK.columnIndexOffset)
      throw new Error(`parquet join: ${path} has a page index; parts with one cannot be joined`);
    if (id === CHUNK.fileOffset) return [id, moved(v, shift)];
    if (id !== CHUNK.metaData) return [id, v];
    const meta = structOf(v, path).map(([m, mv]): readonly [number, ThriftValue] =>
      m === META.dataPage || m === META.indexPage || m === META.dictionaryPage || m === META.bloomFilter ? [m, moved(mv, shift)] : [m, mv],
    );
    return [id, { struct: meta }];
  });
}

/** An i64 offset moved by `shift`; 0 stays 0 (writers put 0 in the deprecated ColumnChunk.file_offset: no offset, not the magic). */
function moved(v: ThriftValue, shift: number): ThriftValue {
  if (!('i64' in v)) throw new Error('parquet join: an offset is not an i64');
  const at = Number(v.i64);
  return { i64: at === 0 ? 0 : at + shift };
}

function structOf(v: ThriftValue, path: string): ThriftStruct {
  if (!('struct' in v)) throw new Error(`parquet join: ${path}: expected a struct in its footer`);
  return v.struct;
}

function field(s: ThriftStruct, id: number, path: string): ThriftValue {
  const f = s.find(([i]) => i === id);
  if (!f) throw new Error(`parquet join: ${path}: its footer has no field ${id}`);
  return f[1];
}

function int(s: ThriftStruct, id: number, path: string): number | bigint {
  const v = field(s, id, path);
  if (!('i64' in v)) throw new Error(`parquet join: ${path}: field ${id} of its footer is not an i64`);
  return v.i64;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;

/** Append bytes [4, bodyEnd) of `from` to `to` at `at`. */
async function appendBody(from: string, to: string, at: number, bodyEnd: number): Promise<void> {
  const src = await open(from, 'r');
  try {
    const dst = await open(to, 'r+');
    try {
      const buf = Buffer.alloc(Math.min(COPY_CHUNK, bodyEnd));
      for (let pos = MAGIC.length; pos < bodyEnd; ) {
        const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, bodyEnd - pos), pos);
        if (bytesRead === 0) throw new Error(`parquet join: ${from} ended before its footer`);
        await writeFully(dst, buf.subarray(0, bytesRead), at + pos - MAGIC.length);
        pos += bytesRead;
      }
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
}

async function writeFully(fh: FileHandle, bytes: Uint8Array, at: number): Promise<void> {
  for (let done = 0; done < bytes.byteLength; ) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done, at + done);
    done += bytesWritten;
  }
}
