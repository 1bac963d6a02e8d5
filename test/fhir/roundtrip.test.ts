import type { Resource } from 'fhir/r4.js';
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJson, serializeJson } from '../../src/fhir/json.js';
import { parseXml, serializeXml } from '../../src/fhir/xml.js';
import { numberText } from '../../src/fhir/decimal.js';
import { FhirError } from '../../src/fhir/errors.js';

const fixturesDir = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsonFiles(path);
    return entry.name.endsWith('.json') ? [path] : [];
  });
}

/** JSON text with keys sorted and numbers in their remembered text: compares values and precision, not key order. */
function canonical(value: unknown, holder?: object, key?: string): string {
  if (typeof value === 'number') return holder ? numberText(holder, key ?? '', value) : String(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v, i) => canonical(v, value, String(i))).join(',')}]`;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object)
    .filter((k) => object[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(object[k], object, k)}`).join(',')}}`;
}

const resources = jsonFiles(fixturesDir)
  .map((path) => ({ name: relative(fixturesDir, path), text: readFileSync(path, 'utf8') }))
  .filter(({ text }) => /"resourceType"\s*:/.test(text));

describe('JSON -> XML -> JSON on every fixture', () => {
  it('finds the fixtures', () => {
    expect(resources.length).toBeGreaterThanOrEqual(15);
  });

  for (const { name, text } of resources) {
    // Deliberately broken fixtures may be refused, but only with a FhirError, never a crash.
    const mayBeRefused = /(^|[/\\-])invalid/.test(name);
    it(`round-trips ${name} losslessly`, () => {
      let resource: Resource;
      let xml: string;
      try {
        resource = parseJson(text);
        xml = serializeXml(resource);
      } catch (error) {
        if (mayBeRefused && error instanceof FhirError) return;
        throw error;
      }
      const back = parseXml(xml);
      expect(canonical(back)).toBe(canonical(resource));
      expect(serializeXml(back)).toBe(xml);
      expect(canonical(parseXml(serializeXml(resource, { pretty: true })))).toBe(canonical(resource));
      expect(canonical(parseJson(serializeJson(back)))).toBe(canonical(resource));
    });
  }
});

describe('decimal precision across formats', () => {
  it('keeps 1.50, 1e2 and 0.000100 through JSON -> XML -> JSON text', () => {
    const text =
      '{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.50},' +
      '"component":[{"code":{"text":"a"},"valueQuantity":{"value":1e2}},{"code":{"text":"b"},"valueQuantity":{"value":0.000100}}]}';
    const xml = serializeXml(parseJson(text));
    expect(xml).toContain('<value value="1.50"/>');
    expect(xml).toContain('<value value="1e2"/>');
    expect(xml).toContain('<value value="0.000100"/>');
    expect(serializeJson(parseXml(xml))).toBe(text);
  });

  it('keeps decimal text inside arrays of primitives', () => {
    const text = '{"resourceType":"Device","id":"d","property":[{"type":{"text":"t"},"valueQuantity":[{"value":2.0},{"value":3.10}]}]}';
    expect(serializeJson(parseXml(serializeXml(parseJson(text))))).toBe(text);
  });

  it('reads numbers from XML as numbers and booleans as booleans', () => {
    const resource = parseXml(
      '<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="x"/></code>' +
        '<valueQuantity><value value="7.250"/></valueQuantity><component><code><text value="c"/></code><valueBoolean value="true"/></component>' +
        '<component><code><text value="i"/></code><valueInteger value="-3"/></component></Observation>',
    );
    expect(resource).toEqual({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      valueQuantity: { value: 7.25 },
      component: [
        { code: { text: 'c' }, valueBoolean: true },
        { code: { text: 'i' }, valueInteger: -3 },
      ],
    });
    expect(serializeJson(resource)).toContain('"value":7.250');
  });
});
