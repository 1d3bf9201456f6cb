// Text from a trace shown to a person: control characters (C0, DEL, C1), the
// Unicode line separators and the bidirectional overrides are written as
// escapes (`\x1b`, `\x07`, `\u202e`), so a name holding ESC sequences cannot
// retitle, clear or recolour a terminal, nor break a table or a Markdown row.
// CSV and JSON keep the exact values (JSON with its own escaping).

const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One value (a name, a path, a table cell): every control character escaped, line breaks too. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, escape);
}

/** Text for a terminal made of lines: the same, the newlines that end them kept. */
export function terminalText(text: string): string {
  return text.replace(CONTROLS_BUT_NEWLINE, escape);
}
