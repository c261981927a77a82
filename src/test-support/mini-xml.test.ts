import { describe, expect, it } from 'vitest';
import { parseXml } from './mini-xml.js';

// The JUnit tests lean on this reader to say "it parses"; it must refuse what a real XML parser refuses.
describe('parseXml', () => {
  it('reads elements, attributes, text and references', () => {
    const el = parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a x="1 &amp; &quot;2&quot;&#10;"><b/>t &lt;&#x41;</a>\n');
    expect(el).toMatchObject({ name: 'a', attrs: { x: '1 & "2"\n' }, text: 't <A', children: [{ name: 'b' }] });
  });

  it.each([
    ['raw &', '<a>x & y</a>'],
    ['raw < in an attribute', '<a x="<"/>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['a forbidden control character', '<a>\u001b[31m</a>'],
    ['a reference to a forbidden character', '<a>&#0;</a>'],
    ['mismatched tags', '<a><b></a></b>'],
    ['an unclosed element', '<a><b/>'],
    ['two roots', '<a/><b/>'],
  ])('rejects %s', (_what, xml) => {
    expect(() => parseXml(xml)).toThrow(SyntaxError);
  });
});
