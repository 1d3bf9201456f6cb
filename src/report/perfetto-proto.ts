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
  packet: { timestamp: 8, trackEvent: 11, trackDescriptor: 60, trustedPacketSequenceId: 10, sequenceFlags: 13 },
  trackDescriptor: { uuid: 1, name: 2, process: 3, thread: 4, parentUuid: 5 },
  process: { pid: 1, processName: 6 },
  thread: { pid: 1, tid: 2, threadName: 5 },
  trackEvent: { debugAnnotations: 4, type: 9, trackUuid: 11, categories: 22, name: 23 },
  eventType: { sliceBegin: 1, sliceEnd: 2, instant: 3 },
  debugAnnotation: { name: 10, boolValue: 2, intValue: 4, doubleValue: 5, stringValue: 6 },
  /** SEQ_INCREMENTAL_STATE_CLEARED: the first packet of the sequence */
  incrementalStateCleared: 1,
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

/** Arguments as debug annotations: numbers as int or double, booleans, everything else as text; nulls left out. */
export function annotations(args: Readonly<Record<string, unknown>>): Message[] {
  const out: Message[] = [];
  for (const [name, v] of Object.entries(args)) {
    if (v === null || v === undefined) continue;
    const a = new Message().string(PROTO.debugAnnotation.name, name);
    if (typeof v === 'boolean') a.varint(PROTO.debugAnnotation.boolValue, v ? 1 : 0);
    else if (typeof v === 'number' && Number.isInteger(v)) a.varint(PROTO.debugAnnotation.intValue, v);
    else if (typeof v === 'number') a.double(PROTO.debugAnnotation.doubleValue, v);
    else a.string(PROTO.debugAnnotation.stringValue, String(v));
    out.push(a);
  }
  return out;
}
