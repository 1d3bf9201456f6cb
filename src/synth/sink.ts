// Where generated events go: text in some framing, written to a stream in
// large chunks, waiting for the stream to drain (so a 100M-event trace never
// sits in memory). `-` is standard output; a `.gz` name is gzipped.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { ZstdStream } from './zstd-stream.js';
import { createGzip } from 'node:zlib';
import type { EventWriter, TextEvent } from '../ingest/writer.js';

export interface EventSink {
  write(e: TextEvent): void;
  /** Hand what is buffered to the output; resolves when it may take more. */
  flush(): Promise<void>;
}

/** Buffer this many characters before writing. */
const CHUNK_CHARS = 1 << 20;

export class TextSink implements EventSink {
  private parts: string[] = [];
  private chars = 0;
  bytes = 0;

  constructor(
    private readonly out: Writable,
    private readonly writer: EventWriter,
  ) {
    this.add(writer.header());
  }

  write(e: TextEvent): void {
    this.add(this.writer.event(e));
  }

  private add(s: string): void {
    if (!s) return;
    this.parts.push(s);
    this.chars += s.length;
  }

  async flush(): Promise<void> {
    if (this.chars < CHUNK_CHARS) return;
    await this.drain();
  }

  private async drain(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.chars = 0;
    this.bytes += Buffer.byteLength(text);
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  /** Write the footer and everything still buffered. */
  async end(): Promise<void> {
    this.add(this.writer.footer());
    await this.drain();
  }
}

export interface Output {
  readonly stream: Writable;
  close(): Promise<void>;
}

export function openOutput(path: string): Output {
  if (path === '-') {
    return {
      stream: process.stdout,
      close: () => new Promise<void>((resolve, reject) => process.stdout.write('', (e) => (e ? reject(e) : resolve()))),
    };
  }
  const file = createWriteStream(path);
  if (/\.zst$/i.test(path)) {
    const zstd = new ZstdStream();
    zstd.pipe(file);
    return {
      stream: zstd,
      close: async () => {
        zstd.end();
        await finished(file);
      },
    };
  }
  if (!path.endsWith('.gz')) {
    return {
      stream: file,
      close: async () => {
        file.end();
        await finished(file);
      },
    };
  }
  const gzip = createGzip();
  gzip.pipe(file);
  return {
    stream: gzip,
    close: async () => {
      gzip.end();
      await finished(file);
    },
  };
}

/** Events kept in memory (tests, small traces). */
export class ArraySink implements EventSink {
  readonly events: TextEvent[] = [];
  write(e: TextEvent): void {
    this.events.push(e);
  }
  async flush(): Promise<void> {}
}
