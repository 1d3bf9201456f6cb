// A protobuf wire-format reader for the tests: a message as its fields by
// number, each a list of values (varints as bigint, length-delimited fields
// as bytes to read on as a message or as text). No schema: the tests name the
// field numbers of the published Perfetto protos themselves.

export type Fields = Map<number, (bigint | Buffer)[]>;

export function decodeMessage(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let i = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    let value: bigint | Buffer;
    if (wire === 0) value = varint();
    else if (wire === 1) {
      value = buf.subarray(i, i + 8);
      i += 8;
    } else if (wire === 2) {
      const n = Number(varint());
      if (i + n > buf.length) throw new Error(`field ${field}: ${n} bytes past the end`);
      value = buf.subarray(i, i + n);
      i += n;
    } else if (wire === 5) {
      value = buf.subarray(i, i + 4);
      i += 4;
    } else throw new Error(`field ${field}: wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

/** The one value of `field`, as a message, text or number. */
export const sub = (m: Fields, field: number): Fields | undefined => {
  const v = m.get(field)?.[0];
  return v instanceof Buffer ? decodeMessage(v) : undefined;
};
export const text = (m: Fields | undefined, field: number): string | undefined => {
  const v = m?.get(field)?.[0];
  return v instanceof Buffer ? v.toString('utf8') : undefined;
};
export const int = (m: Fields | undefined, field: number): number | undefined => {
  const v = m?.get(field)?.[0];
  return typeof v === 'bigint' ? Number(v) : undefined;
};
