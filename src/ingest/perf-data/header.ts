// The perf.data file header, its event attributes and its feature sections
// (Linux tools/perf/Documentation/perf.data-file-format.txt). All fields are
// in the byte order of the machine that recorded; only little-endian files
// (x86, arm64, riscv) are read.
//
//   perf_header (104 bytes): magic "PERFILE2", header size, attr entry size,
//     sections {offset, size} of attrs, data and (unused) event types,
//     a 256-bit feature bitmap
//   attrs: one entry per event: perf_event_attr, then a section of its u64 ids
//   data: the records (records.ts)
//   after the data: one section per feature bit set, in bit order
//
// Pipe mode (perf record -o -) has a 16-byte header (magic, size) and sends
// the attrs, the tracing data and the features as records in the stream.

import { InputError } from '../../common/errors.js';

export const MAGIC = Buffer.from('PERFILE2', 'latin1');
const MAGIC_SWAPPED = Buffer.from('2ELIFREP', 'latin1');
export const HEADER_SIZE = 104;
/** The header of pipe-mode output (perf record -o -): magic and size only; the rest comes as records. */
export const PIPE_HEADER_SIZE = 16;

/** The header's size field: 104 for a file, 16 for pipe mode. */
export function headerSize(head: Uint8Array): number {
  return head.length >= 16 ? new DataView(head.buffer, head.byteOffset, 16).getUint32(8, true) : -1;
}

/** Feature bits (HEADER_*) the reader uses. */
export const FEAT = { TRACING_DATA: 1, HOSTNAME: 3, OSRELEASE: 4, VERSION: 5, ARCH: 6, NRCPUS: 7, CMDLINE: 11, EVENT_DESC: 12 } as const;

/** perf_event_attr.type */
export const PERF_TYPE = { HARDWARE: 0, SOFTWARE: 1, TRACEPOINT: 2 } as const;

/** PERF_SAMPLE_* bits of perf_event_attr.sample_type. */
export const SAMPLE = {
  IP: 1 << 0,
  TID: 1 << 1,
  TIME: 1 << 2,
  ADDR: 1 << 3,
  READ: 1 << 4,
  CALLCHAIN: 1 << 5,
  ID: 1 << 6,
  CPU: 1 << 7,
  PERIOD: 1 << 8,
  STREAM_ID: 1 << 9,
  RAW: 1 << 10,
  IDENTIFIER: 1 << 16,
} as const;

/** PERF_FORMAT_* bits of read_format. */
const FORMAT = { TOTAL_TIME_ENABLED: 1, TOTAL_TIME_RUNNING: 2, ID: 4, GROUP: 8, LOST: 16 } as const;

export interface Section {
  offset: number;
  size: number;
}

export interface Header {
  attrSize: number;
  attrs: Section;
  data: Section;
  /** feature bits set, ascending */
  features: number[];
}

export interface Attr {
  type: number;
  config: number;
  /** the low 32 bits hold every PERF_SAMPLE_* bit the reader reads */
  sampleType: number;
  readFormat: number;
  sampleIdAll: boolean;
  ids: number[];
}

const u64 = (v: DataView, at: number): number => v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32;

/** Whether bytes start with the perf.data magic (little-endian PERFILE2). */
export function isPerfData(head: Uint8Array): boolean {
  return head.length >= 8 && Buffer.from(head.buffer, head.byteOffset, 8).equals(MAGIC);
}

export function parseHeader(path: string, b: Uint8Array, fileSize: number | null): Header {
  if (b.length < 16) throw new InputError(path, 0, `not a perf.data file: ${b.length} bytes, shorter than its header`);
  const magic = Buffer.from(b.buffer, b.byteOffset, 8);
  if (magic.equals(MAGIC_SWAPPED))
    throw new InputError(path, 0, 'a big-endian perf.data (recorded on a big-endian machine): not supported; print it with perf script there');
  if (!magic.equals(MAGIC)) {
    const shown = [...magic].map((c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.')).join('');
    throw new InputError(path, 0, `not a perf.data file: offset 0 holds '${shown}', not the magic PERFILE2`);
  }
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const size = u64(v, 8);
  if (size !== HEADER_SIZE) throw new InputError(path, 0, `perf.data header of ${size} bytes: expected ${HEADER_SIZE}`);
  if (b.length < HEADER_SIZE) throw new InputError(path, 0, `truncated perf.data: ${b.length} bytes, shorter than its ${HEADER_SIZE}-byte header`);
  const h: Header = {
    attrSize: u64(v, 16),
    attrs: { offset: u64(v, 24), size: u64(v, 32) },
    data: { offset: u64(v, 40), size: u64(v, 48) },
    features: [],
  };
  for (let bit = 0; bit < 256; bit++) {
    const word = v.getUint32(72 + (bit >>> 5) * 4, true);
    if ((word >>> (bit & 31)) & 1) h.features.push(bit);
  }
  if (h.attrSize < 64 + 16 || h.attrs.size % h.attrSize !== 0)
    throw new InputError(path, 0, `perf.data header: attr entries of ${h.attrSize} bytes do not divide the attrs section (${h.attrs.size} bytes)`);
  if (h.data.size === 0) {
    throw new InputError(
      path,
      0,
      'perf.data was not finished: its header gives no data size (perf record was killed before it wrote the header); run perf record again and let it exit',
    );
  }
  const end = h.data.offset + h.data.size;
  if (fileSize !== null && end > fileSize) {
    throw new InputError(
      path,
      0,
      `truncated perf.data: the header's data section ends at byte ${end} but the file has ${fileSize} bytes (and the event formats after the data are lost)`,
    );
  }
  return h;
}

/** The attr entries (attrs section), with their ids read from `ids(section)`. */
export async function parseAttrs(path: string, h: Header, read: (s: Section) => Promise<Uint8Array>): Promise<Attr[]> {
  const bytes = await read(h.attrs);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const attrs: Attr[] = [];
  for (let at = 0; at + h.attrSize <= bytes.length; at += h.attrSize) {
    const idSection = { offset: u64(v, at + h.attrSize - 16), size: u64(v, at + h.attrSize - 8) };
    const ids: number[] = [];
    if (idSection.size > 0) {
      if (idSection.size % 8 !== 0 || idSection.size > 1 << 24)
        throw new InputError(path, 0, `perf.data attr ${attrs.length}: bad id section (${idSection.size} bytes at ${idSection.offset})`);
      const idb = await read(idSection);
      const iv = new DataView(idb.buffer, idb.byteOffset, idb.length);
      for (let k = 0; k + 8 <= idb.length; k += 8) ids.push(u64(iv, k));
    }
    attrs.push(attrAt(v, at, ids));
  }
  if (attrs.length === 0) throw new InputError(path, 0, 'perf.data without events (empty attrs section)');
  return attrs;
}

/** The perf_event_attr at `at` (type, config, sample_type, read_format, the sample_id_all flag). */
export function attrAt(v: DataView, at: number, ids: number[]): Attr {
  return {
    type: v.getUint32(at, true),
    config: u64(v, at + 8),
    sampleType: v.getUint32(at + 24, true),
    readFormat: v.getUint32(at + 32, true),
    sampleIdAll: ((v.getUint32(at + 40, true) >>> 18) & 1) === 1,
    ids,
  };
}

/** Feature sections: one {offset, size} per bit set, right after the data section. */
export function featureSections(h: Header, table: Uint8Array): Map<number, Section> {
  const v = new DataView(table.buffer, table.byteOffset, table.length);
  const out = new Map<number, Section>();
  h.features.forEach((bit, k) => {
    if (16 * k + 16 <= table.length) out.set(bit, { offset: u64(v, 16 * k), size: u64(v, 16 * k + 8) });
  });
  return out;
}

/** A perf_header_string: u32 length, then the string (NUL padded). */
export function headerString(b: Uint8Array, at = 0): string {
  if (b.length < at + 4) return '';
  const n = new DataView(b.buffer, b.byteOffset).getUint32(at, true);
  let e = at + 4;
  const end = Math.min(b.length, at + 4 + n);
  while (e < end && b[e] !== 0) e++;
  return Buffer.from(b.buffer, b.byteOffset + at + 4, e - at - 4).toString('utf8');
}

/** CMDLINE: the perf command line that made the capture, its words joined by spaces ('?' when the section is too short). */
export function parseCmdline(b: Uint8Array): string {
  if (b.length < 4) return '?';
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const words: string[] = [];
  for (let k = 0, at = 4; k < v.getUint32(0, true) && at + 4 <= b.length; k++) {
    words.push(headerString(b, at));
    at += 4 + v.getUint32(at, true);
  }
  return words.join(' ');
}

/** EVENT_DESC: the name perf gave each event (`exceptions:page_fault_user`, `minor-faults`), by attr id. */
export function eventNames(b: Uint8Array): Map<number, string> {
  const names = new Map<number, string>();
  if (b.length < 8) return names;
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const nr = v.getUint32(0, true);
  const attrSize = v.getUint32(4, true);
  let at = 8;
  for (let k = 0; k < nr && at + attrSize + 8 <= b.length; k++) {
    at += attrSize;
    const nrIds = v.getUint32(at, true);
    const name = headerString(b, at + 4);
    at += 4 + 4 + v.getUint32(at + 4, true);
    for (let i = 0; i < nrIds && at + 8 <= b.length; i++, at += 8) names.set(u64(v, at), name);
  }
  return names;
}

/** Bytes of a PERF_SAMPLE_READ block for this read_format. */
export function readSize(readFormat: number, nrFromGroup: () => number): number {
  const per = 8 + (readFormat & FORMAT.ID ? 8 : 0) + (readFormat & FORMAT.LOST ? 8 : 0);
  const times = (readFormat & FORMAT.TOTAL_TIME_ENABLED ? 8 : 0) + (readFormat & FORMAT.TOTAL_TIME_RUNNING ? 8 : 0);
  if (readFormat & FORMAT.GROUP) return 8 + times + nrFromGroup() * per;
  return times + per;
}
