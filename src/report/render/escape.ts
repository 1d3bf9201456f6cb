// Escaping for text that comes from a trace (paths, command names, symbols):
// it is untrusted, so it must never become markup in the HTML report nor break
// a Markdown table (a `|` would start a new cell, a backtick a code span, a
// newline end the row), nor reach a terminal or a Markdown viewer as a raw
// control character (they are written as escapes, common/printable.ts).

import { escapeControls, terminalText } from '../../common/printable.js';

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an HTML element or a quoted attribute; control characters (not line breaks) become `\x1b`-style escapes. */
export function escapeHtml(text: string): string {
  return terminalText(text).replace(/[&<>"']/g, (c) => HTML[c]!);
}

/**
 * Text for a Markdown paragraph or table cell, shown literally: line breaks
 * become spaces, and every character Markdown (GitHub's flavour) would read
 * as syntax is backslash-escaped. An underscore inside a word (`vm_fault`) is
 * left alone, since it cannot start emphasis there and the raw text stays
 * readable in a mail. Other control characters become `\x1b`-style escapes.
 */
export function escapeMarkdown(text: string): string {
  const flat = escapeControls(text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' '));
  let out = '';
  for (let i = 0; i < flat.length; i++) {
    const c = flat[i]!;
    if (c === '_') {
      const inWord = i > 0 && i < flat.length - 1 && /[A-Za-z0-9]/.test(flat[i - 1]!) && /[A-Za-z0-9]/.test(flat[i + 1]!);
      out += inWord ? c : '\\_';
    } else if (/[\\`*[\]<>|~&#!]/.test(c)) {
      out += '\\' + c;
    } else {
      out += c;
    }
  }
  return out;
}
