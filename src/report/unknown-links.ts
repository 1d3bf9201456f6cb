// Unknown chain links, said the same way in the terminal summary and in the
// report. A model walking down a backing chain below the levels the trace
// recorded stops where no event described the next object. In faults
// (vnode_pager_lock, vm_prefault) each fault's count is in faults.unknown_links,
// so the report has them; at the other lock sites (vm_object_deallocate
// terminating an object whose backing object no event named) only the run's
// figures have them, so only the terminal summary can show those.

/** `old 2, new 1, new-fixed 1` */
const perModel = (counts: readonly (readonly [string, number])[]): string => counts.map(([m, n]) => `${m} ${n}`).join(', ');

/** The links met in faults, per model: the sentence both the summary and the report print. */
export function faultLinksText(counts: readonly (readonly [string, number])[]): string {
  return `chain links below the recorded levels that no event described, in faults: ${perModel(counts)} (vnode_pager_lock and vm_prefault walks stopped there; faults.unknown_links)`;
}

/** The links met at the other lock sites, per model: the terminal summary only. */
export function siteLinksText(counts: readonly (readonly [string, number])[]): string {
  return `at other lock sites: ${perModel(counts)} (vm_object_deallocate took no lock on a backing object no event named; not in the tables, so not in the report)`;
}

/** What the report adds so a reader of both sees why the summary may count more. */
export const SITE_LINKS_IN_SUMMARY_ONLY =
  'links met at other lock sites (vm_object_deallocate) are not in the tables; the replay’s terminal summary counts them separately';
