// A JSON Bundle validated as a stream, entry by entry, gives the findings of validating it whole,
// wherever the chunks happen to split its text.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Issue } from '../../src/fhir/errors.js';
import { parseJson } from '../../src/fhir/json.js';
import { BundleShapeError, BundleSplitter } from '../../src/fhir/bundle-split.js';
import { validateBundleStream } from '../../src/fhir/validation/bundle-stream.js';
import { validateResource } from '../../src/fhir/validation/index.js';
import { registerSanerProfiles, PUBLIC_HEALTH_MEASURE_REPORT } from '../../ig/saner/profiles.js';
import { validReport } from './validation-sample.js';

async function* chunksOf(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function streamed(text: string, size: number, profiles: string[] = []): Promise<Issue[]> {
  const out: Issue[] = [];
  for await (const issues of validateBundleStream(chunksOf(text, size), { profiles })) out.push(...issues);
  return out;
}

const key = (i: Issue) => `${i.expression} ${i.severity} ${i.rule ?? ''} ${i.message}`;
const sorted = (issues: Issue[]) => issues.map(key).sort();

function bundle(): Record<string, unknown> {
  const bad = { ...validReport(), id: 'bad', status: 'done', foo: 1 };
  const saner = { ...validReport(), id: 'saner', meta: { profile: [PUBLIC_HEALTH_MEASURE_REPORT] }, date: '2020-04-05T07:00:00Z' };
  const noNarrative = { ...validReport(), id: 'plain', text: undefined };
  return {
    resourceType: 'Bundle',
    id: 'b1',
    meta: { lastUpdated: '2020-04-05T07:00:00Z' },
    type: 'document',
    timestamp: 'not a time',
    entry: [
      { fullUrl: 'urn:uuid:1', resource: validReport() },
      { fullUrl: 'urn:uuid:1', resource: bad },
      { fullUrl: 'urn:uuid:3', resource: saner, bogus: true },
      { fullUrl: 'urn:uuid:é€', resource: noNarrative },
      { request: { method: 'PUT' } },
    ],
    signature: { type: [] },
  };
}

beforeAll(() => registerSanerProfiles());

describe('validateBundleStream', () => {
  it('finds exactly what validating the whole Bundle finds, for any chunk size', async () => {
    const text = JSON.stringify(bundle(), null, 1);
    const whole = validateResource(parseJson(text), { profiles: [] });
    // Entry, resource, profile, Bundle-level and Bundle-wide (bdl-7, bdl-9, bdl-11) findings all occur.
    expect(whole.map((i) => i.rule).filter(Boolean)).toEqual(expect.arrayContaining(['bdl-7', 'bdl-9', 'bdl-11', 'DateTimePreciseToSecond-DATE', 'dom-6']));
    expect(whole.some((i) => i.expression === 'Bundle.entry[2].bogus')).toBe(true);
    expect(whole.some((i) => i.expression === 'Bundle.timestamp')).toBe(true);
    for (const size of [1, 7, 64, 1 << 20]) expect(sorted(await streamed(text, size)), `chunks of ${size}`).toEqual(sorted(whole));
  });

  it('applies a profile named for the entries to each entry of its type', async () => {
    const b = bundle();
    (b.entry as { resource?: { meta?: unknown } }[])[2]!.resource!.meta = undefined;
    const text = JSON.stringify(b);
    const whole = validateResource(parseJson(text), { profiles: [PUBLIC_HEALTH_MEASURE_REPORT] });
    expect(whole.filter((i) => i.rule === 'DateTimePreciseToSecond-DATE').map((i) => i.expression)).toContain('Bundle.entry[2].resource.date');
    expect(sorted(await streamed(text, 100, [PUBLIC_HEALTH_MEASURE_REPORT]))).toEqual(sorted(whole));
  });

  it('locates an entry that does not parse by its line in the file, and goes on with the others', async () => {
    const lines = [
      '{"resourceType": "Bundle", "type": "collection", "entry": [',
      `  {"resource": ${JSON.stringify(validReport())}},`,
      '  {"resource": {"resourceType": "MeasureReport", "status": }},',
      `  {"resource": ${JSON.stringify({ ...validReport(), status: 'done' })}}`,
      ']}',
    ];
    const issues = await streamed(lines.join('\n'), 50);
    expect(issues[0]).toMatchObject({ expression: 'Bundle.entry[1]', severity: 'error', message: expect.stringMatching(/^cannot parse: Invalid JSON at line 3, column \d+/) });
    expect(issues.some((i) => i.expression === 'Bundle.entry[2].resource.status')).toBe(true);
  });
});

describe('BundleSplitter', () => {
  it('cuts the entries out and keeps the rest with an empty entry array, strings with brackets and escapes included', () => {
    const text = '{"resourceType":"Bundle","type":"collection","entry":[ {"fullUrl":"a\\"]}","resource":{"resourceType":"Basic","code":{"text":"{[ }"}}} , {"fullUrl":"b"} ],"total":2}';
    const splitter = new BundleSplitter();
    const entries = [...Buffer.from(text)].flatMap((byte) => splitter.push(Buffer.from([byte])));
    expect(entries.map((e) => JSON.parse(e.text).fullUrl)).toEqual(['a"]}', 'b']);
    expect(JSON.parse(splitter.end())).toEqual({ resourceType: 'Bundle', type: 'collection', entry: [], total: 2 });
  });

  it.each([
    ['[1, 2]', 'not a JSON object'],
    ['{"resourceType":"Bundle","entry":{}}', '"entry" is not an array'],
    ['{"resourceType":"Bundle","entry":[1]}', 'an entry is not a JSON object'],
    ['{"resourceType":"Bundle","entry":[{"a":1}', 'ends inside'],
  ])('refuses %s: %s', (text, message) => {
    const splitter = new BundleSplitter();
    expect(() => {
      splitter.push(Buffer.from(text));
      splitter.end();
    }).toThrow(BundleShapeError);
    const again = new BundleSplitter();
    expect(() => {
      again.push(Buffer.from(text));
      again.end();
    }).toThrow(message);
  });
});
