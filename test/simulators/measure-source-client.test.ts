// The reference Measure Source client's traffic against the reference Measure Consumer: what a clean
// run sends and how the Consumer takes it, the options it follows, and each fault mode changing
// exactly what it says.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Bundle, MeasureReport, OperationOutcome } from 'fhir/r4.js';
import { measureConsumer } from '../../simulators/measure-consumer/index.js';
import { measureSourceClient } from '../../simulators/measure-source-client/index.js';
import { referenceClientPlaying } from '../../simulators/index.js';
import { parseResource } from '../../src/fhir/format.js';
import type { HttpExchange } from '../../src/engine/results.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';

let server: RunningFhirServer;
let exchanges: HttpExchange[] = [];

beforeAll(async () => {
  server = await measureConsumer.start({ host: '127.0.0.1', port: 0, onExchange: (e) => exchanges.push(e) });
});
afterAll(() => server.close());

interface Sent {
  /** `METHOD /path -> status` per request. */
  lines: string[];
  exchanges: HttpExchange[];
}

async function push(faults: string[] = [], options = ['Push', 'CSV', 'SupplementalData']): Promise<Sent> {
  exchanges = [];
  await measureSourceClient.run({ baseUrl: server.url, faults, options });
  const base = new URL(server.url);
  const lines = exchanges.map((e) => `${e.method} ${decodeURIComponent(new URL(e.url, base).pathname)} -> ${e.status}`);
  return { lines, exchanges: [...exchanges] };
}

const requestBody = <T>(e: HttpExchange): T => JSON.parse(e.requestBody!.text) as T;
const responseBody = <T>(e: HttpExchange): T => JSON.parse(e.responseBody!.text) as T;
const matching = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l));

describe('reference Measure Source client', () => {
  it('is the bundled client playing the Measure Source', () => {
    expect(referenceClientPlaying('ProduceMeasureSource')).toBe(measureSourceClient);
  });

  it('creates in JSON and XML, revises at the id from Location, posts CSV to $report-csv and a batch to [base]', async () => {
    const { lines, exchanges: sent } = await push();
    const [json, xml] = sent.filter((e) => e.method === 'POST' && e.url.endsWith('/MeasureReport'));
    const id = /MeasureReport\/([^/]+)\/_history/.exec(json!.responseHeaders!['location']!)![1]!;
    expect(lines).toEqual([
      'GET /metadata -> 200',
      'POST /MeasureReport -> 201',
      'POST /MeasureReport -> 201',
      `PUT /MeasureReport/${id} -> 200`,
      'GET /Measure -> 200',
      'POST /Measure/BedCapacity/$report-csv -> 200',
      'POST / -> 200',
    ]);
    expect(json!.requestHeaders['content-type']).toBe('application/fhir+json');
    expect(xml!.requestHeaders['content-type']).toBe('application/fhir+xml');
    expect(parseResource(xml!.requestBody!.text, 'xml').resourceType).toBe('MeasureReport');

    const put = sent[3]!;
    const revision = requestBody<MeasureReport>(put);
    expect(revision.id).toBe(id);
    const created = requestBody<MeasureReport>(json!);
    const count = (r: MeasureReport) => r.group?.flatMap((g) => g.population ?? []).find((p) => p.count !== undefined)?.count;
    expect(count(revision)).toBe(count(created)! + 1);
    expect(count(server.store.read<MeasureReport>('MeasureReport', id))).toBe(count(revision));

    const csvCall = requestBody<{ parameter: { name: string; resource?: { contentType: string }; valueString?: string }[] }>(sent[5]!);
    expect(csvCall.parameter.map((p) => p.name)).toEqual(['input', 'period-start', 'period-end', 'subject', 'reporter']);
    expect(csvCall.parameter[0]!.resource?.contentType).toBe('text/csv');

    const batch = requestBody<Bundle>(sent[6]!);
    expect(batch.type).toBe('batch');
    expect(batch.entry?.map((e) => e.resource?.resourceType)).toEqual(['MeasureReport', 'Patient', 'Observation']);
    expect((batch.entry![0]!.resource as MeasureReport).evaluatedResource?.map((r) => r.reference)).toEqual([batch.entry![1]!.fullUrl, batch.entry![2]!.fullUrl]);
    expect(responseBody<Bundle>(sent[6]!).entry?.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created', '201 Created']);
  });

  it('pushes only what its options ask for', async () => {
    const { lines } = await push([], ['Push']);
    expect(lines).toHaveLength(4);
    expect(matching(lines, /\$report-csv|^POST \/ /)).toEqual([]);
    expect(matching((await push([], ['Push', 'SupplementalData'])).lines, /\$report-csv/)).toEqual([]);
  });

  const faultCases: [fault: string, check: (sent: Sent) => void][] = [
    ['no-push', ({ lines }) => expect(lines).toEqual(['GET /metadata -> 200'])],
    [
      'no-create',
      ({ lines }) => {
        expect(matching(lines, /^POST \/MeasureReport/)).toEqual([]);
        expect(matching(lines, /^PUT \/MeasureReport\/src-[\w-]+ -> 201$/)).toHaveLength(2);
        expect(matching(lines, /^PUT \/MeasureReport\/src-[\w-]+ -> 200$/)).toHaveLength(1);
      },
    ],
    [
      'wrong-content-type',
      ({ exchanges: sent }) => {
        const types = sent.filter((e) => e.method !== 'GET').map((e) => e.requestHeaders['content-type']);
        expect(types).toEqual(['application/json', 'application/fhir+xml', 'application/json', 'application/json', 'application/json']);
      },
    ],
    [
      'invalid-report',
      ({ lines, exchanges: sent }) => {
        expect(lines[2]).toBe('POST /MeasureReport -> 422');
        expect(sent[2]!.responseBody!.text).toContain('DateTimePreciseToSecond');
      },
    ],
    ['no-update', ({ lines }) => expect(matching(lines, /^PUT/)).toEqual([])],
    [
      'update-by-post',
      ({ lines }) => {
        expect(matching(lines, /^PUT/)).toEqual([]);
        expect(matching(lines, /^POST \/MeasureReport -> 201$/)).toHaveLength(3);
      },
    ],
    [
      'put-without-id',
      ({ exchanges: sent }) => {
        const put = sent.find((e) => e.method === 'PUT')!;
        expect(requestBody<MeasureReport>(put).id).toBeUndefined();
        expect(put.status).toBe(400);
      },
    ],
    ['ignore-location', ({ lines }) => expect(matching(lines, /^PUT /)).toEqual([expect.stringMatching(/^PUT \/MeasureReport\/beds-camden-2020-04-01 -> 20[01]$/)])],
    [
      'csv-as-body',
      ({ lines, exchanges: sent }) => {
        expect(matching(lines, /\$report-csv/)).toEqual([]);
        const csv = sent.find((e) => e.requestHeaders['content-type'] === 'text/csv')!;
        expect([csv.method, new URL(csv.url).pathname, csv.status]).toEqual(['POST', '/MeasureReport', 415]);
      },
    ],
    [
      'csv-input-as-string',
      ({ exchanges: sent }) => {
        const call = sent.find((e) => e.url.includes('$report-csv'))!;
        expect(requestBody<{ parameter: { name: string; valueString?: string }[] }>(call).parameter[0]!.valueString).toContain('subject,reporter');
        expect(call.status).toBe(400);
      },
    ],
    [
      'csv-missing-period',
      ({ exchanges: sent }) => {
        const call = sent.find((e) => e.url.includes('$report-csv'))!;
        expect(requestBody<{ parameter: { name: string }[] }>(call).parameter.map((p) => p.name)).toEqual(['input', 'subject', 'reporter']);
        expect(responseBody<OperationOutcome>(call).issue[0]?.expression).toEqual(['period-start']);
      },
    ],
    [
      'csv-bad-cell',
      ({ exchanges: sent }) => {
        const call = sent.find((e) => e.url.includes('$report-csv'))!;
        expect(call.status).toBe(400);
        expect(responseBody<OperationOutcome>(call).issue[0]?.diagnostics).toContain('"many" is not a non-negative integer count');
      },
    ],
    [
      'batch-as-transaction',
      ({ exchanges: sent }) => {
        const post = sent.at(-1)!;
        expect(requestBody<Bundle>(post).type).toBe('transaction');
        expect(post.status).toBe(400);
      },
    ],
    [
      'batch-as-collection',
      ({ lines, exchanges: sent }) => {
        expect(lines.at(-1)).toBe('POST /Bundle -> 201');
        expect(requestBody<Bundle>(sent.at(-1)!).entry?.every((e) => e.request === undefined)).toBe(true);
        expect(responseBody<OperationOutcome>(sent.at(-1)!).issue[0]?.severity).toBe('warning');
      },
    ],
    [
      'batch-wrong-order',
      ({ exchanges: sent }) => {
        const post = sent.at(-1)!;
        expect(requestBody<Bundle>(post).entry?.map((e) => e.resource?.resourceType)).toEqual(['Patient', 'Observation', 'MeasureReport']);
        expect(post.status).toBe(422);
      },
    ],
    [
      'batch-missing-reference',
      ({ exchanges: sent }) => {
        const post = sent.at(-1)!;
        const bundle = requestBody<Bundle>(post);
        expect(bundle.entry).toHaveLength(2);
        expect((bundle.entry![0]!.resource as MeasureReport).evaluatedResource).toHaveLength(2);
        expect(responseBody<Bundle>(post).entry?.[0]?.response?.status).toBe('422 Unprocessable Entity');
      },
    ],
  ];

  it('has a case below for every one of its fault modes', () => {
    expect(faultCases.map(([f]) => f).sort()).toEqual(measureSourceClient.faults.modes.map((f) => f.id).sort());
  });

  it.each(faultCases)('fault %s changes what the client sends as it says', async (fault, check) => {
    check(await push([fault]));
  });

  it('refuses a fault it does not know', async () => {
    await expect(measureSourceClient.run({ baseUrl: server.url, faults: ['no-such-fault'] })).rejects.toThrow(/unknown fault mode/);
  });
});
