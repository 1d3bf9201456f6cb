// The lock sites other than vm_fault, read off their events: what each model's
// site() is given. Types missing from an event come from the registry.

import { NULL_ENUM, NULL_ID } from '../columns/table.js';
import type { ObjectRegistry } from './registry.js';
import type { EventBatch } from '../events/schema.js';
import type { StringTable } from '../columns/strings.js';
import { K, OT } from '../events/vocabulary.js';
import type { SiteOp } from '../models/facts.js';

/** The site operation row i stands for, or null when it is not one. */
export function siteOpOf(b: EventBatch, i: number, registry: ObjectRegistry, nextId: () => number, strings: StringTable): SiteOp | null {
  const c = b.cols;
  const kind = c.kind[i]!;
  const tid = c.tid[i]!;
  const objId = c.obj[i]!;
  if (objId === NULL_ID) return null;
  const obj = { obj: objId, otype: typeOr(c.otype[i]!, registry, objId, OT.vnode) };
  switch (kind) {
    case K.exec_page:
      return { kind: 'exec_page', id: nextId(), tid, obj, page: c.page[i]! };
    case K.page_grab:
      return { kind: 'page_grab', id: nextId(), tid, obj, page: c.page[i]! };
    case K.load_section:
      return { kind: 'load_section', id: nextId(), tid, obj, page: c.page[i] === NULL_ENUM ? null : c.page[i]! };
    case K.obj_ref: {
      const delta = c.delta[i]!;
      if (delta > 0) return { kind: 'reference', id: nextId(), tid, obj, ref: c.ref[i]!, site: strings.get(c.site[i]!) };
      // The registry still holds the backing link the drop to 0 will undo.
      return { kind: 'deallocate', id: nextId(), tid, obj, ref: c.ref[i]!, backing: registry.below(objId) };
    }
    case K.obj_shadow:
      return {
        kind: 'shadow',
        id: nextId(),
        tid,
        shadow: { obj: objId, otype: OT.default },
        source: { obj: c.backing_obj[i]!, otype: c.backing_otype[i]! },
      };
    case K.map_split:
      return { kind: 'map_split', id: nextId(), tid, obj };
    case K.obj_collapse: {
      const bb = c.backing2_obj[i]!;
      return {
        kind: 'collapse',
        id: nextId(),
        tid,
        obj: { obj: objId, otype: typeOr(NULL_ENUM, registry, objId, OT.default) },
        backing: { obj: c.backing_obj[i]!, otype: c.backing_otype[i]! },
        backing2: bb === NULL_ID ? null : { obj: bb, otype: c.backing2_otype[i]! },
        collapseCase: c.collapse_case[i] === NULL_ENUM ? null : c.collapse_case[i]!,
      };
    }
    default:
      return null;
  }
}

/** The event's type `t`, else the registry's type of `obj`, else `fallback`. */
function typeOr(t: number, registry: ObjectRegistry, obj: number, fallback: number): number {
  if (t !== NULL_ENUM) return t;
  const known = registry.typeOf(obj);
  return known !== NULL_ENUM ? known : fallback;
}
