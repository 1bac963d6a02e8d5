import { describe, it, expect } from 'vitest';
import { FhirError } from '../../src/fhir/errors.js';
import { acceptedRanges, contentTypeOf, formatFromAccept, formatOfMediaType, isPretty, mediaTypeOf, negotiateResponseFormat, requestBodyFormat } from '../../src/fhir/negotiation.js';

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof FhirError) return e.status;
    throw e;
  }
  return undefined;
}

describe('formatOfMediaType', () => {
  it.each([
    ['application/fhir+json', 'json'],
    ['application/fhir+xml', 'xml'],
    ['json', 'json'],
    ['xml', 'xml'],
    ['application/json', 'json'],
    ['application/xml', 'xml'],
    ['text/xml', 'xml'],
    ['application/json+fhir', 'json'],
    ['application/xml+fhir', 'xml'],
    ['APPLICATION/FHIR+XML', 'xml'],
    ['application/fhir+json; charset=utf-8', 'json'],
    // `+` decoded as a space from an unencoded query string
    ['application/fhir xml', 'xml'],
    ['application/xml fhir', 'xml'],
  ])('%s -> %s', (value, expected) => {
    expect(formatOfMediaType(value)).toBe(expected);
  });

  it.each(['text/json', 'html', 'text/html', 'application/fhir+turtle', 'ttl', '', 'application/pdf'])('does not understand %s', (value) => {
    expect(formatOfMediaType(value)).toBeUndefined();
  });

  it('refuses the short, generic and DSTU2 values when legacy is off, keeping the FHIR types', () => {
    for (const v of ['json', 'xml', 'application/json', 'application/xml', 'text/xml', 'application/json+fhir', 'application/xml+fhir']) {
      expect(formatOfMediaType(v, { legacy: false })).toBeUndefined();
    }
    expect(formatOfMediaType('application/fhir+json', { legacy: false })).toBe('json');
    expect(formatOfMediaType('application/fhir+xml', { legacy: false })).toBe('xml');
  });
});

describe('formatFromAccept', () => {
  it('takes the highest q-value', () => {
    expect(formatFromAccept('application/fhir+json;q=0.5, application/fhir+xml;q=0.9')).toBe('xml');
    expect(formatFromAccept('application/fhir+xml;q=0.1, application/fhir+json')).toBe('json');
  });
  it('keeps the client order between equal q-values', () => {
    expect(formatFromAccept('application/fhir+xml, application/fhir+json')).toBe('xml');
    expect(formatFromAccept('application/fhir+json, application/fhir+xml')).toBe('json');
  });
  it('skips unknown types and q=0', () => {
    expect(formatFromAccept('text/html, application/fhir+xml;q=0.2')).toBe('xml');
    expect(formatFromAccept('application/fhir+xml;q=0, application/json;q=0.1')).toBe('json');
    expect(formatFromAccept('application/fhir+xml;q=0')).toBeUndefined();
  });
  it('answers wildcards with JSON (text/* with XML)', () => {
    expect(formatFromAccept('*/*')).toBe('json');
    expect(formatFromAccept('application/*')).toBe('json');
    expect(formatFromAccept('text/*')).toBe('xml');
    expect(formatFromAccept('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe('xml');
  });
  it('refuses a range pinned to another FHIR version', () => {
    expect(formatFromAccept('application/fhir+xml; fhirVersion=3.0')).toBeUndefined();
    expect(formatFromAccept('application/fhir+xml; fhirVersion=4.0')).toBe('xml');
  });
  it('ignores a malformed q-value range instead of crashing', () => {
    expect(formatFromAccept('application/fhir+xml;q=abc, application/fhir+json;q=0.3')).toBe('json');
    expect(formatFromAccept(',,;')).toBeUndefined();
  });
});

describe('negotiateResponseFormat', () => {
  it('defaults to JSON', () => {
    expect(negotiateResponseFormat({})).toBe('json');
    expect(negotiateResponseFormat({ accept: '', formatParam: '' })).toBe('json');
  });
  it('lets _format win over Accept (SANER-QM-PG-006)', () => {
    expect(negotiateResponseFormat({ accept: 'application/fhir+xml', formatParam: 'json' })).toBe('json');
    expect(negotiateResponseFormat({ accept: 'application/fhir+json', formatParam: 'application/fhir+xml' })).toBe('xml');
  });
  it('uses Accept when _format is absent', () => {
    expect(negotiateResponseFormat({ accept: 'application/fhir+xml' })).toBe('xml');
    expect(negotiateResponseFormat({ accept: 'application/xml+fhir' })).toBe('xml');
  });
  it('answers 406 for an unknown _format even with a good Accept', () => {
    expect(statusOf(() => negotiateResponseFormat({ formatParam: 'text/html', accept: 'application/fhir+json' }))).toBe(406);
  });
  it('answers 406 for an Accept listing nothing usable', () => {
    expect(statusOf(() => negotiateResponseFormat({ accept: 'text/html' }))).toBe(406);
    expect(statusOf(() => negotiateResponseFormat({ accept: 'text/json' }))).toBe(406);
  });
  it('ignores _format when told to', () => {
    expect(negotiateResponseFormat({ formatParam: 'xml', accept: 'application/fhir+json' }, { honourFormatParam: false })).toBe('json');
    expect(negotiateResponseFormat({ formatParam: 'bogus' }, { honourFormatParam: false })).toBe('json');
  });
  it('falls back to JSON instead of 406 when told to', () => {
    expect(negotiateResponseFormat({ formatParam: 'text/html' }, { fallbackToJson: true })).toBe('json');
    expect(negotiateResponseFormat({ accept: 'image/png' }, { fallbackToJson: true })).toBe('json');
  });
  it('refuses legacy values with 406 when legacy is off', () => {
    expect(statusOf(() => negotiateResponseFormat({ formatParam: 'xml' }, { legacy: false }))).toBe(406);
    expect(statusOf(() => negotiateResponseFormat({ accept: 'application/json+fhir' }, { legacy: false }))).toBe(406);
    expect(negotiateResponseFormat({ accept: 'application/fhir+xml' }, { legacy: false })).toBe('xml');
  });
  it('carries an issue naming _format in the 406', () => {
    try {
      negotiateResponseFormat({ formatParam: 'pdf' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FhirError);
      expect((e as FhirError).issues[0]?.expression).toBe('_format');
      expect((e as FhirError).issues[0]?.code).toBe('not-supported');
    }
  });
});

describe('requestBodyFormat', () => {
  it.each([
    ['application/fhir+json', 'json'],
    ['application/fhir+json; charset=utf-8', 'json'],
    ['application/fhir+xml;charset=UTF-8', 'xml'],
    ['application/json', 'json'],
    ['application/xml', 'xml'],
    ['text/xml', 'xml'],
    ['application/json+fhir', 'json'],
    ['application/xml+fhir', 'xml'],
  ])('%s -> %s', (ct, expected) => {
    expect(requestBodyFormat(ct)).toBe(expected);
  });
  it.each([undefined, '', 'text/plain', 'text/csv', 'json', 'application/fhir+json; charset=iso-8859-1', 'multipart/form-data'])('%s is a 415', (ct) => {
    expect(statusOf(() => requestBodyFormat(ct))).toBe(415);
  });
  it('refuses legacy body types when legacy is off', () => {
    expect(statusOf(() => requestBodyFormat('application/json', { legacy: false }))).toBe(415);
  });
});

describe('helpers', () => {
  it('names the response Content-Type', () => {
    expect(contentTypeOf('json')).toBe('application/fhir+json; charset=utf-8');
    expect(contentTypeOf('xml')).toBe('application/fhir+xml; charset=utf-8');
  });
  it('reads _pretty', () => {
    expect(isPretty('true')).toBe(true);
    expect(isPretty('TRUE')).toBe(true);
    expect(isPretty('false')).toBe(false);
    expect(isPretty(undefined)).toBe(false);
  });
  it('extracts the media type', () => {
    expect(mediaTypeOf('Text/CSV; charset=utf-8')).toBe('text/csv');
    expect(mediaTypeOf(undefined)).toBeUndefined();
  });
});

describe('acceptedRanges: the one parser of Accept', () => {
  it('orders by q (stable between equals), drops q=0, lower-cases and mends an unencoded +', () => {
    expect(acceptedRanges('text/csv;q=0.5, Application/FHIR+XML, application/fhir json;q=0.9, application/xml;q=0, */*;q=0.1').map((r) => [r.type, r.q])).toEqual([
      ['application/fhir+xml', 1],
      ['application/fhir+json', 0.9],
      ['text/csv', 0.5],
      ['*/*', 0.1],
    ]);
    expect(acceptedRanges('application/fhir+json; fhirVersion=4.0')[0]!.params).toEqual({ fhirversion: '4.0' });
    expect(acceptedRanges('')).toEqual([]);
  });
});
