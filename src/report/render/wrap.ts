// Wrapping prose for the terminal: a long note is broken at spaces into lines
// no wider than the terminal, continuation lines indented. Tables are never
// wrapped (their rows must stay whole to line up).

/** A space that wrap() never breaks at (it prints as a plain space). */
export const KEEP = '\u00a0';

/**
 * `text` (one paragraph, no newline) broken at spaces into lines of at most
 * `width` characters, each ending in a newline. A word longer than the
 * width (a path) stays whole on its own line.
 */
export function wrap(text: string, width: number, indent = '  '): string {
  const limit = Math.max(20, width - 1); // a full-width line would make some terminals add a blank one
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const prefix = lines.length === 0 ? '' : indent;
    if (line !== '' && (prefix + line + ' ' + word).length > limit) {
      lines.push(prefix + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push((lines.length === 0 ? '' : indent) + line);
  return lines.join('\n').replaceAll(KEEP, ' ') + '\n';
}
