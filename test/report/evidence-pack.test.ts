import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Evidence, HttpExchange } from '../../src/engine/results.js';
import { encodePack, mergeBothSides, packEvidence } from '../../src/report/evidence-pack.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function exchange(partial: Partial<HttpExchange> = {}): HttpExchange {
  return {
    direction: 'outbound',
    method: 'POST',
    url: 'http://127.0.0.1:4000/fhir/MeasureReport',
    requestHeaders: { 'content-type': 'application/fhir+json' },
    requestBody: { text: '{"resourceType":"MeasureReport"}', size: 32, truncated: false },
    status: 201,
    responseHeaders: { 'content-type': 'application/fhir+json' },
    responseBody: { text: '{"resourceType":"MeasureReport","id":"1"}', size: 41, truncated: false },
    startedAt: at(0),
    durationMs: 20,
    ...partial,
  };
}

/** A GET: the default exchange with no request body at all. */
function get(partial: Partial<HttpExchange> = {}): HttpExchange {
  const { requestBody: _none, ...bodiless } = exchange({ method: 'GET', ...partial });
  return bodiless;
}

const http = (x: HttpExchange): Evidence => ({ kind: 'http', exchange: x });

describe('mergeBothSides', () => {
  it("folds the simulator's record of a request the harness sent into one exchange, keeping the harness's headers", () => {
    const out = exchange();
    const inbound = exchange({ direction: 'inbound', startedAt: at(3), requestHeaders: { host: '127.0.0.1:4000', 'content-type': 'application/fhir+json' } });
    expect(mergeBothSides([out, inbound])).toEqual([{ exchange: out, side: 'both' }]);
    // Order of recording does not matter: the simulator may log before the client resolves.
    expect(mergeBothSides([inbound, out])).toEqual([{ exchange: out, side: 'both' }]);
  });

  it('keeps apart what differs: another answer, another body, another time, or a second identical request', () => {
    const out = exchange();
    expect(mergeBothSides([out, exchange({ direction: 'inbound', status: 500 })])).toHaveLength(2);
    expect(mergeBothSides([out, exchange({ direction: 'inbound', requestBody: { text: '{}', size: 2, truncated: false } })])).toHaveLength(2);
    expect(mergeBothSides([out, exchange({ direction: 'inbound', startedAt: at(60_000) })])).toHaveLength(2);
    // A client SUT's own requests (inbound only) stay as they are.
    const second = exchange({ direction: 'inbound', startedAt: at(5) });
    expect(mergeBothSides([out, exchange({ direction: 'inbound', startedAt: at(2) }), second]).map((m) => m.side)).toEqual(['both', 'inbound']);
  });
});

describe('packEvidence', () => {
  it('stores each body once, references it from every exchange, and keeps it exactly as captured', () => {
    const body = '{"resourceType":"Bundle",  "total": 1.50}';
    const a = get({ responseBody: { text: body, size: body.length, truncated: false } });
    const b = get({ url: 'http://127.0.0.1:4000/fhir/MeasureReport?x=1', responseBody: { text: body, size: body.length, truncated: false }, startedAt: at(100) });
    const pack = packEvidence([
      { key: 't1', evidence: [http(a), { kind: 'note', text: 'n' }] },
      { key: 't2', evidence: [http(b), http(a)] },
      { key: 't3', evidence: [] },
    ]);
    expect(pack.bodies).toEqual([{ text: body, language: 'json', size: body.length }]);
    expect(pack.exchanges).toHaveLength(2);
    expect(pack.groups).toEqual({ t1: [0], t2: [1, 0] });
    expect(pack.exchanges[0]).toMatchObject({
      side: 'outbound',
      method: 'GET',
      status: 201,
      responseBody: 0,
      requestHeaders: 'content-type: application/fhir+json',
      timing: '2026-03-02 09:00:00 UTC · 20 ms',
    });
  });

  it('says why a body is shown as captured: cut at the capture limit, not JSON, not well-formed XML', () => {
    const pack = packEvidence([
      {
        key: 't',
        evidence: [
          http(exchange({ responseBody: { text: '{"a": 1, "b"', size: 90_000, truncated: true } })),
          http(exchange({ responseBody: { text: '{"a":', size: 5, truncated: false }, startedAt: at(100) })),
          http(exchange({ responseHeaders: { 'content-type': 'application/fhir+xml' }, responseBody: { text: '<a><b></a>', size: 10, truncated: false }, startedAt: at(200) })),
        ],
      },
    ]);
    const notes = pack.bodies.map((b) => b.note);
    // The request body the three share comes first, once.
    expect(notes).toEqual([undefined, 'truncated: showing 12 of 90000 bytes, as captured', expect.stringMatching(/^not valid JSON/), expect.stringMatching(/^not well-formed XML/)]);
    expect(pack.bodies[3]!.language).toBe('xml');
  });

  it('records a transport failure with no response', () => {
    const pack = packEvidence([{ key: 't', evidence: [http({ direction: 'outbound', method: 'GET', url: 'http://x/', requestHeaders: {}, startedAt: at(0), error: 'connect ECONNREFUSED' })] }]);
    expect(pack.exchanges[0]).toEqual({ side: 'outbound', method: 'GET', url: 'http://x/', error: 'connect ECONNREFUSED', timing: '2026-03-02 09:00:00 UTC', requestHeaders: '', responseHeaders: '' });
  });
});

describe('encodePack', () => {
  it('is base64 of gzip of the JSON pack, which DecompressionStream("gzip") undoes', () => {
    const pack = packEvidence([{ key: 't', evidence: [http(exchange())] }]);
    const encoded = encodePack(pack);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(JSON.parse(gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8'))).toEqual(pack);
  });
});
