/**
 * A strict reader for the XML subset hbench writes (declaration, elements, attributes, text, the five named entities
 * and numeric references), so tests can check that reports parse without a parser dependency. It rejects what
 * XML 1.0 rejects in that subset: unbalanced tags, raw `<` or `&`, unknown entities, forbidden characters.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ALLOWED_CHAR = /^[\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

export function parseXml(source: string): XmlElement {
  if (!ALLOWED_CHAR.test(source)) throw new SyntaxError('a character XML 1.0 forbids');
  let i = 0;
  const s = source.replace(/^<\?xml[^?]*\?>\s*/, '');
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at ${i}: ${JSON.stringify(s.slice(i, i + 40))}`);
  };
  const decode = (raw: string): string => {
    if (/<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) fail('raw < or stray &');
    return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_m, ref: string) => {
      if (ref in NAMED) return NAMED[ref]!;
      const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      const ch = String.fromCodePoint(code);
      if (!ALLOWED_CHAR.test(ch)) fail(`reference to a forbidden character &${ref};`);
      return ch;
    });
  };
  const element = (): XmlElement => {
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"]*")*)\s*(\/?)>/.exec(s.slice(i));
    if (!open) return fail('expected a start tag');
    i += open[0].length;
    const attrs: Record<string, string> = {};
    for (const m of open[2]!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      if (m[1]! in attrs) fail(`duplicate attribute ${m[1]}`);
      attrs[m[1]!] = decode(m[2]!);
    }
    const el: XmlElement = { name: open[1]!, attrs, children: [], text: '' };
    if (open[3]) return el;
    for (;;) {
      const next = s.indexOf('<', i);
      if (next < 0) fail(`unclosed <${el.name}>`);
      el.text += decode(s.slice(i, next));
      i = next;
      if (s.startsWith('</', i)) {
        const close = `</${el.name}>`;
        if (!s.startsWith(close, i)) fail(`expected ${close}`);
        i += close.length;
        return el;
      }
      el.children.push(element());
    }
  };
  const root = element();
  if (s.slice(i).trim() !== '') fail('content after the root element');
  return root;
}

export function findAll(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => findAll(c, name))];
}
