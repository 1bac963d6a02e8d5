import { describe, it, expect } from 'vitest';
import { parseJson, serializeJson } from '../../src/fhir/json.js';
import { cloneWithNumberTexts } from '../../src/fhir/decimal.js';
import { FhirError } from '../../src/fhir/errors.js';

function parseError(text: string): FhirError {
  try {
    parseJson(text);
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw error;
  }
  throw new Error(`accepted: ${text}`);
}

describe('parseJson / serializeJson', () => {
  it('keeps decimal text through parse and serialize', () => {
    const text = '{"resourceType":"Observation","valueQuantity":{"value":1.50},"x":[1e2,0.000100,3,-0,12345678901234567890,2.5]}';
    const resource = parseJson(text);
    expect(serializeJson(resource)).toBe(text);
    // in memory the values are plain numbers (the 20-digit one rounded to the nearest double)
    expect((resource as unknown as { valueQuantity: { value: number } }).valueQuantity.value).toBe(1.5);
    expect((resource as unknown as { x: number[] }).x).toEqual([100, 0.0001, 3, -0, Number('12345678901234567890'), 2.5]);
  });

  it('drops the original text once a number changes', () => {
    const resource = parseJson('{"resourceType":"Observation","valueQuantity":{"value":1.50}}') as unknown as {
      valueQuantity: { value: number };
    };
    resource.valueQuantity.value = 2;
    expect(serializeJson(resource as never)).toBe('{"resourceType":"Observation","valueQuantity":{"value":2}}');
  });

  it('keeps number text in copies made with cloneWithNumberTexts', () => {
    const resource = parseJson('{"resourceType":"Observation","valueQuantity":{"value":1.50}}');
    expect(serializeJson(cloneWithNumberTexts(resource))).toContain('"value":1.50');
    expect(serializeJson(structuredClone(resource))).toContain('"value":1.5}');
  });

  it('takes the fast path for plain numbers and still writes them exactly', () => {
    const text = '{"resourceType":"Patient","multipleBirthInteger":2,"x":[0.5,-3,1.25]}';
    expect(serializeJson(parseJson(text))).toBe(text);
  });

  it('pretty-prints like JSON.stringify with two spaces', () => {
    const value = { resourceType: 'Patient', active: true, name: [{ given: ['a', null] }], x: {} };
    expect(serializeJson(parseJson(JSON.stringify(value)), { pretty: true })).toBe(JSON.stringify(value, null, 2));
  });

  it('accepts a leading BOM', () => {
    expect(parseJson('\uFEFF{"resourceType":"Patient"}').resourceType).toBe('Patient');
  });

  it('refuses invalid JSON with line and column', () => {
    const error = parseError('{"resourceType":"Patient",\n  "active": tru}');
    expect(error.status).toBe(400);
    expect(error.issues[0]?.code).toBe('structure');
    expect(error.message).toMatch(/line 2, column \d+/);
    expect(parseError('{"resourceType":"Patient"').message).toMatch(/line 1, column 26/);
  });

  it('refuses invalid JSON numbers in the decimal path too', () => {
    expect(parseError('{"resourceType":"Observation","v":1.50,\n"w":01}').message).toMatch(/line 2/);
  });

  it('refuses duplicate keys, even with equal values, naming the key and its place', () => {
    const different = parseError('{"resourceType":"Patient",\n"active":true,\n"active":false}');
    expect(different.message).toMatch(/line 3, column 1: property "active" appears twice/);
    const equal = parseError('{"resourceType":"Patient","name":[{"family":"A",\n  "family":"A"}]}');
    expect(equal.message).toMatch(/line 2, column 3: property "family" appears twice/);
    expect(parseError('{"resourceType":"Observation","v":1.50,"v":1.50}').message).toMatch(/"v" appears twice/);
  });

  it('does not mistake colons and quotes inside strings for keys', () => {
    const text = '{"resourceType":"Patient","id":"a","text":{"div":"<div>a: \\"b\\": c</div>"}}';
    expect(serializeJson(parseJson(text))).toBe(text);
  });

  it('refuses a __proto__ key', () => {
    expect(parseError('{"resourceType":"Patient","__proto__":{"x":1}}').message).toMatch(/__proto__/);
  });

  it('refuses a top level that is not a resource object', () => {
    expect(parseError('[{"resourceType":"Patient"}]').message).toMatch(/must be a JSON object/);
    expect(parseError('"Patient"').message).toMatch(/must be a JSON object/);
    expect(parseError('{"id":"x"}').message).toMatch(/resourceType/);
    expect(parseError('{"resourceType":42}').message).toMatch(/resourceType/);
  });
});

describe('serializeJson strings and keys', () => {
  it('writes every string and key exactly as JSON.stringify does, escapes included', () => {
    const strings = ['plain', 'a "quote"', 'back\\slash', 'line\nbreak\ttab\u0001', 'é ü 中', '\u2028', '😀', 'lone \ud800 surrogate', '', `${'x'.repeat(300)}"`];
    const value = { resourceType: 'Basic', text: strings, ...Object.fromEntries(strings.map((s, i) => [s || `k${i}`, s])) };
    expect(serializeJson(value)).toBe(JSON.stringify(value));
    expect(serializeJson(value, { pretty: true })).toBe(JSON.stringify(value, null, 2));
  });
});
