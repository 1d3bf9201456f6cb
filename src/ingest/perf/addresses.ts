// Synthetic 64-bit addresses for the objects the perf reader stands in for
// Linux memory (Linux has no vm_objects). The top byte tags the kind, so kinds
// never collide with each other or with the real kernel pointers (0xffff...)
// the mmap_lock events carry, and an address reads back as what it stands for:
// 0xf1_MMmm_IIIIIIIIII is the file with device MM:mm and inode I.

export interface Address {
  readonly hi: number;
  readonly lo: number;
}

const TAG_VNODE = 0xf1;
const TAG_VNODE_BY_PATH = 0xf2;
const TAG_ANON = 0xd0;
const TAG_SPECIAL = 0xe0;

const TWO32 = 2 ** 32;
const TWO40 = 2 ** 40;

/**
 * A file by device and inode: 16 bits of device (major and minor when each
 * fits a byte, else a hash of both) and 40 bits of inode (folded when larger).
 */
export function vnodeAddress(major: number, minor: number, ino: number): Address {
  const dev = major < 256 && minor < 256 ? (major << 8) | minor : (Math.imul(major, 0x9e3779b1) ^ minor ^ (minor >>> 16)) & 0xffff;
  const ino40 = ino < TWO40 ? ino : (ino % TWO40) ^ Math.floor(ino / TWO40);
  return { hi: ((TAG_VNODE << 24) | (dev << 8) | Math.floor(ino40 / TWO32)) >>> 0, lo: (ino40 % TWO32) >>> 0 };
}

/** A file known only by its path (perf trace lines, MMAP records without device and inode). */
export function vnodeAddressByPath(path: string): Address {
  return tagged(TAG_VNODE_BY_PATH, path);
}

/** A kernel-provided mapping ([vdso], [vvar]), one object per name. */
export function specialAddress(name: string): Address {
  return tagged(TAG_SPECIAL, name);
}

/** The n-th anonymous object (private anonymous memory, copy-on-write shadows) of a run. */
export function anonAddress(n: number): Address {
  return { hi: ((TAG_ANON << 24) | Math.floor(n / TWO32)) >>> 0, lo: (n % TWO32) >>> 0 };
}

/** 56 bits of FNV-1a 64 (two 32-bit lanes) under a tag. */
function tagged(tag: number, text: string): Address {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (const b of Buffer.from(text, 'utf8')) {
    lo ^= b;
    // multiply the 64-bit (hi, lo) by the FNV prime 0x100000001b3
    const loMul = lo * 0x1b3;
    const carry = Math.floor(loMul / TWO32);
    hi = (Math.imul(hi, 0x1b3) + Math.imul(lo, 0x100) + carry) >>> 0;
    lo = loMul >>> 0;
  }
  return { hi: ((tag << 24) | (hi & 0xffffff)) >>> 0, lo: lo >>> 0 };
}
