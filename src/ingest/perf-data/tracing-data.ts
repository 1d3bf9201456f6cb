// The HEADER_TRACING_DATA feature section: the tracefs format description of
// every tracepoint the capture recorded, which says where each field of a
// tracepoint's raw payload lies. Layout (perf's trace-event-info):
//
//   "\x17\x08\x44tracing", version "0.6\0", u8 big_endian, u8 long_size, u32 page_size
//   "header_page\0" u64 size, text;  "header_event\0" u64 size, text
//   ftrace formats:  u32 count, then per format u64 size, text
//   event formats:   u32 systems, per system: name\0, u32 count, per format u64 size, text
//   kallsyms (u32 size), printk formats (u32 size), saved cmdlines (u64 size, 0.6+)
//
// A format text, as in /sys/kernel/tracing/events/SYSTEM/NAME/format:
//
//   name: page_fault_user
//   ID: 190
//   format:
//   	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
//   	field:unsigned long address;	offset:8;	size:8;	signed:0;
//   	field:__data_loc char[] filename;	offset:8;	size:4;	signed:0;

export interface Field {
  offset: number;
  size: number;
  signed: boolean;
  /** `__data_loc`: the field holds (length << 16 | offset) of a variable-length value */
  dataLoc: boolean;
  /** a fixed char array (`char comm[16]`): a NUL-terminated string */
  chars: boolean;
}

export interface EventFormat {
  id: number;
  system: string;
  name: string;
  fields: Map<string, Field>;
}

export interface TracingData {
  version: string;
  pageSize: number;
  /** formats by tracepoint id (perf_event_attr.config of a tracepoint event) */
  events: Map<number, EventFormat>;
}

const MAGIC = Buffer.from([0x17, 0x08, 0x44, ...Buffer.from('tracing', 'latin1')]);

/** Parse the section, or say (a string) why it cannot be read. */
export function parseTracingData(b: Uint8Array): TracingData | string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return 'the tracing data does not start with its magic';
  let at = MAGIC.length;
  const need = (n: number): boolean => at + n <= buf.length;
  const cstr = (): string | null => {
    const e = buf.indexOf(0, at);
    if (e < 0) return null;
    const s = buf.toString('latin1', at, e);
    at = e + 1;
    return s;
  };
  const u64 = (): number => {
    const v = buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 2 ** 32;
    at += 8;
    return v;
  };
  const version = cstr();
  if (version === null || !need(6)) return 'the tracing data ends inside its header';
  if (buf[at] !== 0) return 'big-endian tracing data: not supported';
  at += 2; // big_endian, long_size
  const pageSize = buf.readUInt32LE(at);
  at += 4;
  for (const part of ['header_page', 'header_event']) {
    const name = cstr();
    if (name !== part || !need(8)) return `the tracing data lacks its ${part}`;
    const n = u64();
    if (!need(n)) return `the tracing data ends inside its ${part}`;
    at += n;
  }
  const events = new Map<number, EventFormat>();
  if (!need(4)) return 'the tracing data ends before its ftrace formats';
  const ftrace = buf.readUInt32LE(at);
  at += 4;
  for (let k = 0; k < ftrace; k++) {
    if (!need(8)) return 'the tracing data ends inside its ftrace formats';
    const n = u64();
    if (!need(n)) return 'the tracing data ends inside its ftrace formats';
    at += n;
  }
  if (!need(4)) return 'the tracing data ends before its event formats';
  const systems = buf.readUInt32LE(at);
  at += 4;
  for (let s = 0; s < systems; s++) {
    const system = cstr();
    if (system === null || !need(4)) return 'the tracing data ends inside its event formats';
    const count = buf.readUInt32LE(at);
    at += 4;
    for (let k = 0; k < count; k++) {
      if (!need(8)) return `the tracing data ends inside the formats of ${system}`;
      const n = u64();
      if (!need(n)) return `the tracing data ends inside the formats of ${system}`;
      const f = parseFormat(system, buf.toString('latin1', at, at + n));
      at += n;
      if (f) events.set(f.id, f);
    }
  }
  return { version, pageSize, events };
}

/** One format text; null when it has no name or ID. */
export function parseFormat(system: string, text: string): EventFormat | null {
  const name = /^name:\s*(\S+)/m.exec(text)?.[1];
  const id = /^ID:\s*(\d+)/m.exec(text)?.[1];
  if (!name || !id) return null;
  const fields = new Map<string, Field>();
  const re = /field:([^;]*);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const decl = m[1]!.trim();
    // the field's name is the last identifier before an optional [N]
    const nm = /([A-Za-z_]\w*)\s*(\[[^\]]*\])?\s*$/.exec(decl);
    if (!nm) continue;
    fields.set(nm[1]!, {
      offset: Number(m[2]),
      size: Number(m[3]),
      signed: m[4] === '1',
      dataLoc: decl.startsWith('__data_loc') || decl.startsWith('__rel_loc'),
      chars: /\bchar\b/.test(decl) && nm[2] !== undefined && !decl.startsWith('__data_loc'),
    });
  }
  return { id: Number(id), system, name, fields };
}

/** An unsigned field of up to 8 bytes as a number (exact to 2^53); NaN when it lies outside the payload. */
export function readUnsigned(v: DataView, base: number, end: number, f: Field): number {
  const at = base + f.offset;
  if (at + f.size > end) return NaN;
  switch (f.size) {
    case 1:
      return v.getUint8(at);
    case 2:
      return v.getUint16(at, true);
    case 4:
      return f.signed ? v.getInt32(at, true) : v.getUint32(at, true);
    case 8:
      return v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32;
    default:
      return NaN;
  }
}

/** A string field (`__data_loc char[]` or `char name[N]`), NUL-terminated. */
export function readString(b: Uint8Array, v: DataView, base: number, end: number, f: Field): string | null {
  let s: number;
  let n: number;
  if (f.dataLoc) {
    if (base + f.offset + 4 > end) return null;
    const loc = v.getUint32(base + f.offset, true);
    s = base + (loc & 0xffff);
    n = loc >>> 16;
  } else {
    s = base + f.offset;
    n = f.size;
  }
  if (s + n > end) return null;
  let e = s;
  while (e < s + n && b[e] !== 0) e++;
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8');
}
