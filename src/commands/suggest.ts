// "Did you mean ...?" for a mistyped flag, command or view name: the closest
// of the words the command knows, when it is close enough to be what was meant.

/** The candidate nearest to `typed`, or undefined when none is near (a few edits, or `typed` starts one candidate alone). */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const word = typed.toLowerCase();
  const starting = candidates.filter((c) => c.toLowerCase().startsWith(word));
  if (word.length >= 2 && starting.length === 1) return starting[0];
  // About one edit in three letters: 'modle' finds 'models'; a word of three letters or fewer, one edit.
  const allowed = word.length <= 3 ? 1 : Math.ceil(word.length / 3);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= allowed ? best : undefined;
}

/** `: did you mean X?` for a message, or nothing when no candidate is near. */
export function didYouMean(typed: string, candidates: readonly string[], show: (c: string) => string = (c) => c): string {
  const near = closest(typed, candidates);
  return near === undefined ? '' : `: did you mean ${show(near)}?`;
}

/** Insertions, deletions, substitutions and swaps of two neighbours that turn `a` into `b` (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}
