import { describe, it, expect } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { parseJson } from '../../src/fhir/json.js';
import { parseXml, serializeXml } from '../../src/fhir/xml.js';
import { childByName, childContext } from '../../src/fhir/model/index.js';
import type { Context } from '../../src/fhir/model/index.js';
import { detectFormat, parseAnyResource, parseResource, serializeResource } from '../../src/fhir/format.js';
import { FhirError } from '../../src/fhir/errors.js';
import type { Patient, Resource } from 'fhir/r4.js';
import { readFileSync } from 'node:fs';

const NS = 'xmlns="http://hl7.org/fhir"';
const measureReport = parseJson(readFileSync(new URL('../../fixtures/resources/measurereport-bed-capacity.json', import.meta.url), 'utf8'));

function xmlError(text: string): FhirError {
  try {
    parseXml(text);
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw error;
  }
  throw new Error(`accepted: ${text}`);
}

type OrderedNode = Record<string, unknown>;
const tagOf = (node: OrderedNode): string => Object.keys(node).find((k) => k !== ':@') ?? '';

/** Every element's children, checked against the model's snapshot order independently of parseXml. */
function assertModelOrder(nodes: OrderedNode[], ctx: Context, path: string): number {
  let last = -1;
  let checked = 0;
  for (const node of nodes) {
    const tag = tagOf(node);
    if (tag === '#text' || tag === 'div') continue;
    const resolved = childByName(ctx, tag);
    expect(resolved, `${path}.${tag} is in the model`).toBeDefined();
    if (!resolved) continue;
    expect(resolved.index, `${path}.${tag} order`).toBeGreaterThanOrEqual(last);
    last = resolved.index;
    checked++;
    const children = node[tag] as OrderedNode[];
    if (resolved.type === 'Resource') {
      const inner = children.find((c) => tagOf(c) !== '#text');
      if (inner) checked += assertModelOrder(inner[tagOf(inner)] as OrderedNode[], { type: tagOf(inner), path: '' }, tagOf(inner));
    } else {
      checked += assertModelOrder(children, childContext(resolved.owner, resolved.element, resolved.type), `${path}.${tag}`);
    }
  }
  return checked;
}

describe('serializeXml', () => {
  it('writes elements in the order of the model, recursively', () => {
    const xml = serializeXml(measureReport, { pretty: true });
    const parsed = new XMLParser({ preserveOrder: true, ignoreAttributes: false, stopNodes: ['*.div'] }).parse(xml) as OrderedNode[];
    const root = parsed[0] as OrderedNode;
    expect(tagOf(root)).toBe('MeasureReport');
    const checked = assertModelOrder(root.MeasureReport as OrderedNode[], { type: 'MeasureReport', path: '' }, 'MeasureReport');
    expect(checked).toBeGreaterThan(100);
  });

  it('writes ids, urls and primitive values as attributes and the resource id as an element', () => {
    const xml = serializeXml(measureReport);
    expect(xml.startsWith(`<MeasureReport ${NS}><id value="bed-capacity-2026-02-01-memorial"/>`)).toBe(true);
    expect(xml).toContain('<group id="beds"><extension url="http://example.org/fhir/StructureDefinition/group-note">');
    expect(xml).toContain('<count value="120"/>');
    expect(xml).toContain('<measureScore><value value="0.50"/>');
  });

  it('writes primitive extensions, including array placeholders', () => {
    const patient = parseJson(
      JSON.stringify({
        resourceType: 'Patient',
        name: [{ given: ['Ana', null], _given: [null, { id: 'g2', extension: [{ url: 'http://e', valueCode: 'masked' }] }] }],
        birthDate: '1984-03-15',
        _birthDate: { extension: [{ url: 'http://t', valueDateTime: '1984-03-15T08:30:00Z' }] },
      }),
    );
    const xml = serializeXml(patient);
    expect(xml).toContain('<name><given value="Ana"/><given id="g2"><extension url="http://e"><valueCode value="masked"/></extension></given></name>');
    expect(xml).toContain('<birthDate value="1984-03-15"><extension url="http://t"><valueDateTime value="1984-03-15T08:30:00Z"/></extension></birthDate>');
    expect(parseXml(xml)).toEqual(patient);
  });

  it('keeps the xhtml div verbatim and wraps contained resources in their type', () => {
    const xml = serializeXml(measureReport);
    expect(xml).toContain('<text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>Bed &amp; ventilator');
    expect(xml).toContain('<contained><Location><id value="loc-icu"/>');
    const back = parseXml(xml) as typeof measureReport & { text: { div: string }; contained: Resource[] };
    expect(back.text.div).toBe((measureReport as typeof back).text.div);
    expect(back.contained.map((r) => r.resourceType)).toEqual(['Location', 'Organization']);
  });

  it('escapes attribute text so that it reads back exactly', () => {
    const resource = { resourceType: 'Patient', id: 'p', name: [{ text: 'a & b <c> "d"\nline\ttab' }] } as Resource;
    const xml = serializeXml(resource);
    expect(xml).toContain('value="a &amp; b &lt;c&gt; &quot;d&quot;&#10;line&#9;tab"');
    expect(parseXml(xml)).toEqual(resource);
  });

  it('refuses properties the model does not know, naming the path', () => {
    const bad = { resourceType: 'MeasureReport', status: 'complete', group: [{ code: { text: 'x' }, colour: 'red' }] } as unknown as Resource;
    expect(() => serializeXml(bad)).toThrow(/Unknown element 'colour' at MeasureReport.group\[0\]/);
    expect(() => serializeXml({ resourceType: 'Nonsense' } as unknown as Resource)).toThrow(/Unknown resource type/);
    const twoValues = { resourceType: 'Observation', valueString: 'a', valueBoolean: true } as unknown as Resource;
    expect(() => serializeXml(twoValues)).toThrow(/Only one of/);
    const wrongType = { resourceType: 'Patient', active: 'yes' } as unknown as Resource;
    expect(() => serializeXml(wrongType)).toThrow(/'active' must be a boolean/);
  });
});

describe('parseXml', () => {
  it('reads pretty-printed XML with a declaration and comments', () => {
    const resource = parseXml(`<?xml version="1.0" encoding="UTF-8"?>\n<!-- example -->\n<Patient ${NS}>\n  <!-- the id -->\n  <id value="p1"/>\n  <active value="false"/>\n</Patient>\n`);
    expect(resource).toEqual({ resourceType: 'Patient', id: 'p1', active: false });
  });

  it('decodes predefined entities and character references', () => {
    const resource = parseXml(`<Patient ${NS}><name><text value="A&amp;B &#x41;&#66; &lt;&apos;&quot;&gt;"/></name></Patient>`);
    expect(resource).toEqual({ resourceType: 'Patient', name: [{ text: 'A&B AB <\'">' }] });
  });

  it('refuses DOCTYPE and ENTITY declarations (XXE, billion laughs)', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Patient ${NS}><name><text value="&xxe;"/></name></Patient>`;
    const error = xmlError(xxe);
    expect(error.status).toBe(400);
    expect(error.issues[0]?.code).toBe('security');
    const laughs = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Patient ${NS}><id value="&lol2;"/></Patient>`;
    expect(xmlError(laughs).issues[0]?.code).toBe('security');
  });

  it('refuses undeclared entity references instead of passing them through', () => {
    expect(xmlError(`<Patient ${NS}><id value="&foo;"/></Patient>`).message).toMatch(/entity reference in Patient.id/);
  });

  it('refuses unknown elements and attributes, naming the path', () => {
    const error = xmlError(`<MeasureReport ${NS}><status value="complete"/><group><colour value="red"/></group></MeasureReport>`);
    expect(error.message).toBe("Unknown element 'colour' at MeasureReport.group[0]");
    expect(error.issues[0]?.expression).toBe('MeasureReport.group[0].colour');
    expect(xmlError(`<Patient ${NS}><active value="true" colour="red"/></Patient>`).message).toMatch(/Unknown attribute 'colour'/);
    expect(xmlError(`<Nonsense ${NS}/>`).message).toMatch(/Unknown resource type 'Nonsense'/);
  });

  it('refuses misplaced and repeated elements', () => {
    expect(xmlError(`<MeasureReport ${NS}><type value="summary"/><status value="complete"/></MeasureReport>`).message).toMatch(/'status' at MeasureReport is out of order/);
    expect(xmlError(`<Patient ${NS}><active value="true"/><active value="false"/></Patient>`).message).toMatch(/must not repeat/);
    // the resource id is itself a primitive element, so it may carry an element id
    expect(parseXml(`<Patient ${NS}><id value="a" id="b"/></Patient>`)).toEqual({ resourceType: 'Patient', id: 'a', _id: { id: 'b' } });
  });

  it('refuses the wrong namespace', () => {
    expect(xmlError('<Patient><id value="a"/></Patient>').message).toMatch(/namespace http:\/\/hl7.org\/fhir/);
    expect(xmlError('<Patient xmlns="http://hl7.org/fhir/other"/>').message).toMatch(/namespace/);
    expect(xmlError(`<Patient ${NS}><name xmlns="urn:x"><text value="a"/></name></Patient>`).message).toMatch(/Patient.name\[0\] must be in the namespace/);
    const div = `<Patient ${NS}><text><status value="generated"/><div><p>x</p></div></text></Patient>`;
    expect(xmlError(div).message).toMatch(/<div> at Patient.text.div must be in the namespace http:\/\/www.w3.org\/1999\/xhtml/);
  });

  it('refuses malformed XML with line and column', () => {
    const error = xmlError(`<Patient ${NS}>\n  <id value="a">\n</Patient>`);
    expect(error.issues[0]?.code).toBe('structure');
    expect(error.message).toMatch(/^Invalid XML at line 3, column \d+/);
  });

  it('refuses bad primitive values and stray text', () => {
    expect(xmlError(`<Patient ${NS}><active value="yes"/></Patient>`).message).toMatch(/Invalid boolean 'yes' at Patient.active/);
    expect(xmlError(`<Patient ${NS}><multipleBirthInteger value="1.5"/></Patient>`).message).toMatch(/Invalid integer/);
    expect(xmlError(`<Patient ${NS}><active/></Patient>`).message).toMatch(/neither a value nor children/);
    expect(xmlError(`<Patient ${NS}>hello<active value="true"/></Patient>`).message).toMatch(/Unexpected text 'hello'/);
  });

  it('reads nested resources in Bundle entries and Parameters', () => {
    const bundle = parseXml(`<Bundle ${NS}><type value="collection"/><entry><resource><Patient><id value="p"/></Patient></resource></entry></Bundle>`);
    expect(bundle).toEqual({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'p' } }] });
    expect(xmlError(`<Bundle ${NS}><entry><resource><Patient/><Patient/></resource></entry></Bundle>`).message).toMatch(/exactly one resource/);
  });
});

describe('format.ts', () => {
  it('detects the format from the first character', () => {
    expect(detectFormat('  \n{"resourceType":"Patient"}')).toBe('json');
    expect(detectFormat('\uFEFF<?xml version="1.0"?><Patient/>')).toBe('xml');
    expect(detectFormat('resourceType=Patient')).toBeUndefined();
  });

  it('parses and serializes either format', () => {
    const xml = serializeResource(measureReport, 'xml');
    const json = serializeResource(parseResource(xml, 'xml'), 'json');
    expect(parseAnyResource(json).format).toBe('json');
    expect(serializeResource(parseAnyResource(xml).resource, 'xml')).toBe(xml);
    expect(() => parseAnyResource('hello')).toThrow(FhirError);
  });
});

describe('xhtml narrative', () => {
  it('keeps nested divs, comments and entities in the div verbatim', () => {
    const div = '<div xmlns="http://www.w3.org/1999/xhtml"><div class="a"><p>x</p><div/></div><!-- c --><p>y &amp; z</p></div>';
    const resource = { resourceType: 'Patient', text: { status: 'generated', div } } as Resource;
    const back = parseXml(serializeXml(resource, { pretty: true })) as Patient;
    expect(back.text?.div).toBe(div);
  });
});
