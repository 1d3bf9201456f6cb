// The report's words, defined once: a short glossary at the end of the
// report, and each term's first use as a table column linked to its entry,
// so a reviewer who meets "back-downs" next to "restarts" can look up how the
// two differ without leaving the page.

import { type Block, code, type HeaderCell, headerText, type Inline, type Term } from './render/document.js';

interface Entry extends Term {
  /** the column headings that use the term */
  readonly columns: (heading: string) => boolean;
  /** the models the term belongs to: DragonFly's or Linux's */
  readonly family: 'dragonfly' | 'linux';
}

const is =
  (...names: string[]) =>
  (h: string) =>
    names.includes(h);

const ENTRIES: readonly Entry[] = [
  {
    id: 'term-op',
    term: 'op',
    family: 'dragonfly',
    columns: is('op'),
    text: [
      'an operation number: every fault and every other lock-site event (exec_map_page, vm_object_reference, ...) is one operation, numbered in trace order, so ops outnumber faults (',
      code('faults.op_id'),
      ').',
    ],
  },
  {
    id: 'term-x-s',
    term: 'X, S',
    family: 'dragonfly',
    columns: (h) => /^X (tokens|[a-z])/.test(h) || h === 'S tokens',
    text: ['an exclusive (X) or shared (S) acquisition of a VM object token; the per-map token is counted apart.'],
  },
  {
    id: 'term-saved',
    term: 'saved',
    family: 'dragonfly',
    columns: (h) => h.startsWith('X saved') || h.startsWith('saved '),
    text: [
      "the baseline's X token acquisitions minus the model's, on the same trace. A saving made at a site or fault where the same model hit a hazard is marked, and shown without it.",
    ],
  },
  {
    id: 'term-chain',
    term: 'chain lock',
    family: 'dragonfly',
    columns: is('X chain', 'S chain'),
    text: ['the per-object chain lock (vm_object_chain_acquire) of DEFAULT and SWAP objects, counted apart from tokens and not part of the saving.'],
  },
  {
    id: 'term-b1-b4',
    term: 'B1-B4 (back-downs)',
    family: 'dragonfly',
    columns: (h) => h === 'rule' || h.startsWith('back-downs'),
    text: [
      "the new model's vm_fault back-downs (commit 501747bf): a fault that took a token S finds it needs X, lets go of everything and restarts the fault from the map lookup with X. ",
      'B1: page absent at the first object held S; B2: page absent below it, held S, with a pager to ask; B3 and B4: the same for a page resident but invalid. ',
      'Each back-down is one more attempt of its fault.',
    ],
  },
  {
    id: 'term-exec',
    term: 'exec_map_page re-acquire',
    family: 'dragonfly',
    columns: (h) => h.startsWith('exec'),
    text: [
      "exec_map_page's S-to-X retry: when the page is not valid, it lets go of S and takes X. It is recorded as a back-down with rule exec_map_page, but it is not one of B1-B4, is inside the operation's one attempt, and is shown on its own.",
    ],
  },
  {
    id: 'term-restart',
    term: 'restarts',
    family: 'dragonfly',
    columns: is('restarts'),
    text: [
      'retries the trace recorded (busy page, memory shortage, map change), replayed the same way under every model; back-downs are the model’s own retries and are not counted here.',
    ],
  },
  {
    id: 'term-attempt',
    term: 'attempts',
    family: 'dragonfly',
    columns: is('attempts'),
    text: ['passes through a fault: the first, plus one per restart and one per B1-B4 back-down.'],
  },
  {
    id: 'term-upgrade',
    term: 'upgrades',
    family: 'dragonfly',
    columns: is('upgrades'),
    text: ['a token held S let go and taken X in place, without a restart (no back-down).'],
  },
  {
    id: 'term-hazard',
    term: 'hazard, token_livelock, first_m_shared',
    family: 'dragonfly',
    columns: is('hazards', 'hazard'),
    text: [
      'a lock request that would deadlock or assert under the model; the operation stops there. ',
      code('token_livelock'),
      ': a thread asks X on a token it holds only S (new, at swap_pager_unswapped); the kernel would spin forever (fixed in 61dac052, the new-fixed model). ',
      code('first_m_shared'),
      ': an invalid page in a DEFAULT first object held S, which trips the kernel assertion first_shared == 0.',
    ],
  },
  {
    id: 'term-wait',
    term: 'waits',
    family: 'dragonfly',
    columns: (h) => h === 'waits' || h.startsWith('wait'),
    text: [
      'the contention estimate: acquisitions that find another thread holding the same token in a conflicting mode, with hold times from the hold-time model.',
    ],
  },
  {
    id: 'term-mm-lock',
    term: 'mm lock',
    family: 'linux',
    columns: is('mm locks'),
    text: [
      'the per-process mmap_lock (a read-write semaphore over the whole address space); a fault under it blocks, and is blocked by, every writer of the map.',
    ],
  },
  {
    id: 'term-vma-lock',
    term: 'VMA lock',
    family: 'linux',
    columns: is('VMA locks'),
    text: ['the per-VMA lock (CONFIG_PER_VMA_LOCK, Linux 6.4 and later): a fault takes only the lock of the VMA it hits, under RCU, when the rules let it.'],
  },
  {
    id: 'term-fallback',
    term: 'fallback, mm_reason',
    family: 'linux',
    columns: is('undecidable'),
    text: [
      'a fault that cannot be handled under its VMA lock falls back to the mm lock; ',
      code('faults.mm_reason'),
      ' says why (kernel_mode, no_vma, not_anonymous, vma_write_locked, ...). Undecidable: a writer’s hold began or ended within 1 µs of the fault, or the VMA is older than the capture.',
    ],
  },
  {
    id: 'term-precision',
    term: 'precision, recall',
    family: 'linux',
    columns: is('precision', 'recall'),
    text: [
      'precision: of the faults a model says take the mm lock, the share the kernel took it in; recall: of the faults the kernel took it in, the share the model predicted.',
    ],
  },
];

/** The glossary for a report with these model families, and its blocks with each term's first column linked to it. */
export function withGlossary(blocks: readonly Block[], families: { dragonfly: boolean; linux: boolean }): { blocks: Block[]; terms: Term[] } {
  const entries = ENTRIES.filter((e) => families[e.family]);
  const linked = new Set<string>();
  const link = (b: Block): Block => {
    if (b.kind === 'details') return { ...b, blocks: b.blocks.map(link) };
    if (b.kind !== 'table') return b;
    const header = b.header.map((h): HeaderCell => {
      const text = headerText(h);
      const e = entries.find((x) => !linked.has(x.id) && x.columns(text));
      if (!e) return h;
      linked.add(e.id);
      return { text, term: e.id };
    });
    return { ...b, header };
  };
  const out = blocks.map(link);
  return { blocks: out, terms: entries.map(({ id, term, text }) => ({ id, term, text: text as Inline[] })) };
}
