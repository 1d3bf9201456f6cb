// Perfetto's own trace format: a `Trace` of `TracePacket`s holding
// `TrackDescriptor`s (a process per model, a thread track under it) and
// `TrackEvent`s (slice begin and end, instants), encoded by hand on the
// protobuf wire format, so no protobuf library is needed. Field numbers are
// those of the published protos (protos/perfetto/trace/trace_packet.proto,
// track_event/track_event.proto, track_descriptor.proto,
// process_descriptor.proto, thread_descriptor.proto, debug_annotation.proto).
// Smaller than the JSON, and what the Perfetto UI loads fastest.

/** Field numbers from the published protos. */
export const PROTO = {
  trace: { packet: 1 },
  packet: { timestamp: 8, trackEvent: 11, trackDescriptor: 60, trustedPacketSequenceId: 10, sequenceFlags: 13, internedData: 12 },
  /** InternedData (interned_data/interned_data.proto): each entry { iid 1, name 2 } (InternedString: { iid 1, str 2 }) */
  interned: { eventCategories: 1, eventNames: 2, debugAnnotationNames: 3, debugAnnotationStringValues: 29, iid: 1, name: 2 },
  trackDescriptor: { uuid: 1, name: 2, process: 3, thread: 4, parentUuid: 5 },
  process: { pid: 1, processName: 6 },
  thread: { pid: 1, tid: 2, threadName: 5 },
  trackEvent: { debugAnnotations: 4, type: 9, trackUuid: 11, categories: 22, name: 23, nameIid: 10, categoryIids: 3 },
  eventType: { sliceBegin: 1, sliceEnd: 2, instant: 3 },
  debugAnnotation: { name: 10, nameIid: 1, boolValue: 2, intValue: 4, doubleValue: 5, stringValue: 6, stringValueIid: 17 },
  /** SEQ_INCREMENTAL_STATE_CLEARED: the first packet of the sequence */
  incrementalStateCleared: 1,
  /** SEQ_NEEDS_INCREMENTAL_STATE: a packet that refers to interned strings */
  needsIncrementalState: 2,
} as const;

/** One message under construction: fields appended in order. */
export class Message {
  private readonly parts: Buffer[] = [];

  varint(field: number, value: number | bigint): this {
    this.parts.push(tag(field, 0), varint(BigInt.asUintN(64, BigInt(value))));
    return this;
  }

  double(field: number, value: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.parts.push(tag(field, 1), b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, m: Message): this {
    return this.bytes(field, m.encode());
  }

  private bytes(field: number, b: Buffer): this {
    this.parts.push(tag(field, 2), varint(BigInt(b.length)), b);
    return this;
  }

  encode(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const tag = (field: number, wire: number): Buffer => varint(BigInt((field << 3) | wire));

function varint(v: bigint): Buffer {
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

/** A packet as one record of the `Trace` message (field 1, length-delimited), ready to append to the file. */
export function tracePacket(packet: Message): Buffer {
  return new Message().message(PROTO.trace.packet, packet).encode();
}

/**
 * Strings sent once per sequence and referred to by number after that (event
 * names, categories, argument names and text values): the names of a
 * timeline repeat on every slice. New strings are added to the packet that
 * first uses them, as InternedData.
 */
export class Interner {
  private readonly tables = new Map<number, Map<string, number>>();
  private fresh: Message | null = null;

  /** The iid of `value` in InternedData field `table`; a string not seen before goes into the next packet's InternedData. */
  iid(table: number, value: string): number {
    let t = this.tables.get(table);
    if (!t) this.tables.set(table, (t = new Map()));
    let id = t.get(value);
    if (id === undefined) {
      id = t.size + 1;
      t.set(value, id);
      const entry = new Message().varint(PROTO.interned.iid, id).string(PROTO.interned.name, value);
      (this.fresh ??= new Message()).message(table, entry);
    }
    return id;
  }

  /** The InternedData the strings first used since the last call need, if any. */
  take(): Message | null {
    const m = this.fresh;
    this.fresh = null;
    return m;
  }
}

/** Arguments as debug annotations, names and text values interned: numbers as int or double, booleans, everything else as text; nulls left out. */
export function annotations(args: Readonly<Record<string, unknown>>, strings: Interner): Message[] {
  const out: Message[] = [];
  for (const [name, v] of Object.entries(args)) {
    if (v === null || v === undefined) continue;
    const a = new Message().varint(PROTO.debugAnnotation.nameIid, strings.iid(PROTO.interned.debugAnnotationNames, name));
    if (typeof v === 'boolean') a.varint(PROTO.debugAnnotation.boolValue, v ? 1 : 0);
    else if (typeof v === 'number' && Number.isInteger(v)) a.varint(PROTO.debugAnnotation.intValue, v);
    else if (typeof v === 'number') a.double(PROTO.debugAnnotation.doubleValue, v);
    else a.varint(PROTO.debugAnnotation.stringValueIid, strings.iid(PROTO.interned.debugAnnotationStringValues, String(v)));
    out.push(a);
  }
  return out;
}
