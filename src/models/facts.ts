// What a model is told about one operation: the per-fault facts of the spec
// ("Per-fault facts the models need") and the facts of the other lock sites.
// Facts are what the trace recorded, with defaults filled in and marked.

/** An object as a model sees it: interned address id and ObjType code. */
export interface ObjRef {
  readonly obj: number;
  readonly otype: number;
}

/** Tri-state facts: 1 yes, 0 no, -1 not known. */
export type Tri = -1 | 0 | 1;

/** One object level a fault examined. */
export interface Level extends ObjRef {
  /** PageState code: valid, invalid (or read-ahead-marked), busy, absent */
  page: number;
  /** the object has a backing object (resolved from the key, a deeper level, or the registry) */
  hasBacking: Tri;
  /** the object's shadow list is non-empty (meaningful at depth 0) */
  shadowed: Tri;
  swapped: boolean;
  /** whether the pager had the page: 1 has, 0 none, -1 unknown */
  pager: Tri;
  ref: number;
}

/** The levels one recorded attempt examined, and how that attempt ended. */
export interface Phase {
  readonly levels: Level[];
  /** the recorded retry that ended this attempt (`busy`, `memory`, ...), null for the final one */
  readonly retry: string | null;
}

/** Where the fault's chain continues below a given object (registry lookups). */
export interface ChainView {
  /** The object behind `obj`: an ObjRef, null when it has none, undefined when unknown. */
  below(obj: number): ObjRef | null | undefined;
}

export interface FaultFacts {
  /** operation id (unique in the run) */
  readonly id: number;
  readonly tid: number;
  readonly pid: number;
  readonly cpu: number;
  /** fault type bits (FaultType) */
  readonly ftype: number;
  /** VM_FAULT_* flags */
  readonly fflags: number;
  readonly nthreads: number;
  readonly kernelMap: boolean;
  readonly vpagetable: boolean;
  readonly wired: boolean;
  /** attempts as recorded, back-down retries of the captured kernel merged away */
  readonly phases: readonly Phase[];
  readonly chain: ChainView;
  /** where the captured fault found its page (-1 zero fill, null not recorded) */
  readonly foundDepth: number | null;
}

/** The other lock-taking sites, one event each. */
export type SiteOp =
  | { readonly kind: 'exec_page'; readonly id: number; readonly tid: number; readonly obj: ObjRef; readonly page: number }
  | { readonly kind: 'page_grab'; readonly id: number; readonly tid: number; readonly obj: ObjRef; readonly page: number }
  | { readonly kind: 'load_section'; readonly id: number; readonly tid: number; readonly obj: ObjRef; readonly page: number | null }
  | {
      readonly kind: 'reference';
      readonly id: number;
      readonly tid: number;
      readonly obj: ObjRef;
      readonly ref: number;
      /** the kernel function that took the reference, when the trace says */
      readonly site: string | null;
    }
  | {
      readonly kind: 'deallocate';
      readonly id: number;
      readonly tid: number;
      readonly obj: ObjRef;
      /** ref_count before the drop */
      readonly ref: number;
      /** the backing object when the registry knows it (null: none, undefined: unknown) */
      readonly backing: ObjRef | null | undefined;
    }
  | { readonly kind: 'shadow'; readonly id: number; readonly tid: number; readonly shadow: ObjRef; readonly source: ObjRef }
  | { readonly kind: 'map_split'; readonly id: number; readonly tid: number; readonly obj: ObjRef }
  | {
      readonly kind: 'collapse';
      readonly id: number;
      readonly tid: number;
      readonly obj: ObjRef;
      readonly backing: ObjRef;
      readonly backing2: ObjRef | null;
      /** CollapseCase code, or null when not recorded */
      readonly collapseCase: number | null;
    };

export type SiteKind = SiteOp['kind'];
