/**
 * Escaping for XML 1.0 (JUnit) and HTML. Verifier output carries ANSI colour codes, NULs and broken UTF-8; XML 1.0
 * forbids most C0 controls even as character references, so they are shown as visible `\uXXXX` text instead of
 * making the whole report unparseable.
 */

// Everything outside XML 1.0's Char production: C0 controls but tab/LF/CR, lone surrogates, U+FFFE and U+FFFF.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export function escapeXmlText(s: string): string {
  return s.replace(FORBIDDEN, visible).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values: quotes too, and tab/LF/CR as references, which a parser would otherwise fold into spaces. */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** ANSI CSI/OSC sequences (colours, cursor moves): noise in a CI viewer that shows the text as-is. */
export function stripAnsi(s: string): string {
  return s.replace(/\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)/g, '');
}
