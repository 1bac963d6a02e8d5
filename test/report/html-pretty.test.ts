import { describe, expect, it } from 'vitest';
import { PRETTY_SOURCE } from '../../src/report/html-pretty.js';

// The page's own functions, run here as the browser runs them.
const { indentJson, indentXml } = new Function(`${PRETTY_SOURCE}; return { indentJson, indentXml };`)() as {
  indentJson: (text: string) => string;
  indentXml: (text: string) => string;
};

describe('indentJson (in the page)', () => {
  it('indents as JSON.stringify(…, null, 2) does', () => {
    const value = { resourceType: 'Bundle', entry: [{ resource: { id: 'x', n: [1, 2], empty: {}, none: [], t: true, z: null } }], s: 'a,b:{c}[d]' };
    expect(indentJson(JSON.stringify(value))).toBe(JSON.stringify(value, null, 2));
    expect(indentJson(JSON.stringify(value, null, 4))).toBe(JSON.stringify(value, null, 2));
  });

  it('keeps every token as written: decimals such as 1.50, escapes, big integers', () => {
    expect(indentJson('{"v":1.50,"big":12345678901234567890,"s":"q\\"uote\\\\","u":"\\u00e9"}')).toBe('{\n  "v": 1.50,\n  "big": 12345678901234567890,\n  "s": "q\\"uote\\\\",\n  "u": "\\u00e9"\n}');
  });
});

describe('indentXml (in the page)', () => {
  it('indents elements, keeps text, attributes (even with > inside), comments, CDATA and entities as sent', () => {
    const xml = '<?xml version="1.0"?><a xmlns="x"><b value="1 > 0"/><!-- note --><c>x &amp; y</c><d><![CDATA[<raw>]]></d><e></e></a>';
    expect(indentXml(xml)).toBe('<?xml version="1.0"?>\n<a xmlns="x">\n  <b value="1 > 0"/>\n  <!-- note -->\n  <c>x &amp; y</c>\n  <d><![CDATA[<raw>]]></d>\n  <e></e>\n</a>');
  });

  it('indents FHIR XML as the report shows it', () => {
    expect(indentXml('<MeasureReport xmlns="http://hl7.org/fhir"><id value="mr-1"/><group><population><count value="42"/></population></group></MeasureReport>')).toBe(
      '<MeasureReport xmlns="http://hl7.org/fhir">\n  <id value="mr-1"/>\n  <group>\n    <population>\n      <count value="42"/>\n    </population>\n  </group>\n</MeasureReport>',
    );
  });
});
