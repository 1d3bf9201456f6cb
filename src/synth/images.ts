// The files the workloads run and read: ELF binaries (text and data segments
// of one vnode object, as the image activator maps them), the shared
// libraries they need, and plain data files. Sizes are in 4 KiB pages and
// roughly those of a DragonFly 3.6 system (2013).

import { Rng } from './rng.js';

export interface Library {
  readonly path: string;
  readonly textPages: number;
  readonly dataPages: number;
  /** anonymous bss after the data segment */
  readonly bssPages: number;
}

export interface Image extends Library {
  readonly comm: string;
  /** libraries ld-elf.so.2 maps, in load order (none: a static binary) */
  readonly libs: readonly Library[];
  /** fraction of its file pages in the page cache when the workload starts */
  readonly warm: number;
}

export interface DataFile {
  readonly path: string;
  readonly pages: number;
  readonly warm: number;
}

const lib = (path: string, textPages: number, dataPages: number, bssPages = 1): Library => ({ path, textPages, dataPages, bssPages });

export const RTLD = lib('/libexec/ld-elf.so.2', 36, 2, 2);

export const LIBS = {
  c: lib('/lib/libc.so.7', 290, 12, 6),
  m: lib('/lib/libm.so.4', 58, 1),
  util: lib('/lib/libutil.so.4', 16, 1),
  edit: lib('/lib/libedit.so.6', 40, 2),
  ncurses: lib('/lib/libncurses.so.8', 76, 4),
  thread: lib('/lib/libthread_xu.so.2', 22, 1, 2),
  z: lib('/lib/libz.so.3', 20, 1),
  crypto: lib('/lib/libcrypto.so.7', 420, 22, 2),
  ssl: lib('/usr/lib/libssl.so.7', 84, 4),
  gmp: lib('/usr/lib/libgmp.so.10', 118, 2),
  mpfr: lib('/usr/lib/libmpfr.so.4', 92, 2),
  mpc: lib('/usr/lib/libmpc.so.3', 20, 1),
  pcre: lib('/usr/local/lib/libpcre.so.3', 50, 1),
} as const;

const L = LIBS;

function image(path: string, textPages: number, dataPages: number, bssPages: number, libs: readonly Library[], warm: number, comm?: string): Image {
  return { path, comm: comm ?? path.slice(path.lastIndexOf('/') + 1).slice(0, 16), textPages, dataPages, bssPages, libs, warm };
}

export const IMAGES = {
  sh: image('/bin/sh', 38, 3, 2, [L.edit, L.ncurses, L.c], 1),
  cat: image('/bin/cat', 5, 1, 1, [L.c], 0.9),
  echo: image('/bin/echo', 3, 1, 1, [L.c], 0.9),
  ls: image('/bin/ls', 9, 1, 1, [L.util, L.ncurses, L.c], 0.8),
  expr: image('/bin/expr', 4, 1, 1, [L.c], 0.8),
  test: image('/bin/test', 4, 1, 1, [L.c], 0.9),
  date: image('/bin/date', 5, 1, 1, [L.util, L.c], 0.7),
  sed: image('/usr/bin/sed', 14, 1, 1, [L.c], 0.8),
  grep: image('/usr/bin/grep', 36, 2, 1, [L.z, L.c], 0.7),
  awk: image('/usr/bin/awk', 40, 2, 2, [L.m, L.c], 0.7),
  tr: image('/usr/bin/tr', 6, 1, 1, [L.c], 0.7),
  wc: image('/usr/bin/wc', 4, 1, 1, [L.c], 0.8),
  sort: image('/usr/bin/sort', 26, 2, 1, [L.c], 0.6),
  head: image('/usr/bin/head', 3, 1, 1, [L.c], 0.8),
  basename: image('/usr/bin/basename', 3, 1, 1, [L.c], 0.8),
  env: image('/usr/bin/env', 3, 1, 1, [L.c], 0.8),
  xargs: image('/usr/bin/xargs', 6, 1, 1, [L.c], 1),
  make: image('/usr/bin/make', 46, 3, 4, [L.c], 1),
  cc: image('/usr/libexec/gcc47/cc', 160, 4, 2, [L.c], 1, 'cc'),
  cc1: image('/usr/libexec/gcc47/cc1', 3100, 60, 40, [L.mpc, L.mpfr, L.gmp, L.m, L.z, L.c], 0.9, 'cc1'),
  as: image('/usr/libexec/binutils224/as', 260, 12, 6, [L.z, L.c], 1, 'as'),
  ld: image('/usr/libexec/binutils224/ld.bfd', 500, 20, 8, [L.z, L.c], 1, 'ld'),
  httpd: image('/usr/local/sbin/httpd', 180, 8, 4, [L.pcre, L.ssl, L.crypto, L.z, L.thread, L.c], 1),
  php: image('/usr/local/bin/php-cgi', 1600, 80, 20, [L.pcre, L.ssl, L.crypto, L.m, L.z, L.c], 0.8),
} as const satisfies Record<string, Image>;

/**
 * The order in which processes touch a file's pages: the same for every run of
 * the file (it is the program's layout, not chance), clustered the way code
 * that runs together sits together. A process touches a prefix of it, so
 * popular pages stay in the page cache and rare ones go cold.
 */
export function touchOrder(path: string, pages: number): Uint32Array {
  const cached = orders.get(path);
  if (cached && cached.length === pages) return cached;
  const rng = new Rng(path);
  const order = new Uint32Array(pages);
  const used = new Uint8Array(pages);
  let n = 0;
  let at = 0;
  while (n < pages) {
    // Runs of 1-6 neighbouring pages, then a jump.
    for (let run = rng.int(1, 6); run > 0 && n < pages; run--, at++) {
      const p = at % pages;
      if (!used[p]) {
        used[p] = 1;
        order[n++] = p;
      }
    }
    at = rng.below(pages);
    while (used[at] && n < pages) at = (at + 1) % pages;
  }
  orders.set(path, order);
  return order;
}

const orders = new Map<string, Uint32Array>();
