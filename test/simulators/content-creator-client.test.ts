import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { madxContentCreatorClient, rpcContentCreatorClient } from '../../simulators/content-creator-client/index.js';

interface Seen {
  method: string;
  path: string;
  contentType: string;
  body: string;
}

type Answer = 'sync' | 'async' | 'see-other';

/** A stand-in Content Consumer: records every request and answers submissions as `answer` says. */
async function consumer(answer: Answer): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const path = req.url ?? '';
    seen.push({ method: req.method ?? '', path, contentType: req.headers['content-type'] ?? '', body });
    if (path.startsWith('/status/')) {
      const polled = seen.filter((s) => s.path === path).length;
      if (polled < 2) return res.writeHead(202, { 'retry-after': '0' }).end();
      return res.writeHead(303, { location: `/result/${path.slice(8)}` }).end();
    }
    if (path.startsWith('/result/'))
      return res.writeHead(200, { 'content-type': 'application/fhir+json' }).end('{"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational"}]}');
    const n = seen.length;
    if (answer === 'async') return res.writeHead(202, { 'content-location': `/status/${n}` }).end();
    if (answer === 'see-other') return res.writeHead(303, { location: `/result/${n}` }).end();
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/fhir+json' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const submissions = (seen: Seen[]) => seen.filter((s) => s.method !== 'GET');
const json = (s: Seen) => JSON.parse(s.body) as MeasureReport;
const bundleOf = (s: Seen) => JSON.parse(s.body) as Bundle;

describe('reference mADX Content Creator', () => {
  it('updates one report in JSON and one in XML at their own ids, then sends a collection Bundle to [base]', async () => {
    const c = await consumer('sync');
    await madxContentCreatorClient.run({ baseUrl: c.url });
    const sent = submissions(c.seen);
    expect(sent.map((s) => `${s.method} ${s.path.replace(/\/[^/]+$/, '/[id]')} ${s.contentType}`)).toEqual([
      'PUT /MeasureReport/[id] application/fhir+json',
      'PUT /MeasureReport/[id] application/fhir+xml',
      'PUT /MeasureReport/[id] application/fhir+json',
      'POST / application/fhir+json',
    ]);
    expect(json(sent[0]!).id).toBe(sent[0]!.path.split('/')[2]);
    expect(sent[1]!.body).toContain('<MeasureReport');
    // The third is disaggregated by age, its age groups written the ADX way.
    expect(sent[2]!.body).toMatch(/"P\d+Y--P\d+Y"/);
    const bundle = bundleOf(sent[3]!);
    expect(bundle.type).toBe('collection');
    expect(bundle.entry?.every((e) => e.resource?.resourceType === 'MeasureReport' && !e.request)).toBe(true);
  });

  it('polls the status URL of a 202 until it answers 303, then GETs the result', async () => {
    const c = await consumer('async');
    await madxContentCreatorClient.run({ baseUrl: c.url });
    expect(c.seen.filter((s) => s.path === '/status/1').length).toBe(2);
    expect(c.seen.some((s) => s.method === 'GET' && s.path === '/result/1')).toBe(true);
  });

  it('GETs the Location of a 303', async () => {
    const c = await consumer('see-other');
    await madxContentCreatorClient.run({ baseUrl: c.url });
    expect(c.seen.filter((s) => s.method === 'GET').map((s) => s.path)).toEqual(['/result/1', '/result/3', '/result/5', '/result/7']);
  });

  it.each([
    ['no-send', (seen: Seen[]) => expect(seen).toEqual([])],
    [
      'post-instead-of-put',
      (seen: Seen[]) =>
        expect(
          submissions(seen)
            .slice(0, 2)
            .map((s) => `${s.method} ${s.path}`),
        ).toEqual(['POST /MeasureReport', 'POST /MeasureReport']),
    ],
    ['put-id-mismatch', (seen: Seen[]) => expect(json(seen[0]!).id).not.toBe(seen[0]!.path.split('/')[2])],
    ['wrong-content-type', (seen: Seen[]) => expect(seen[0]!.contentType).toBe('application/json')],
    ['invalid-report', (seen: Seen[]) => expect(json(seen[0]!).subject).toBeUndefined()],
    ['wrong-measure', (seen: Seen[]) => expect(json(seen[0]!).measure).not.toBe('http://ohie.org/Measure/madx-hiv-indicator-example')],
    ['bundle-as-batch', (seen: Seen[]) => expect(bundleOf(seen[3]!).type).toBe('batch')],
  ] as const)('under %s breaks its rule', async (fault, check) => {
    const c = await consumer('sync');
    await madxContentCreatorClient.run({ baseUrl: c.url, faults: [fault] });
    check(c.seen);
  });

  it('under no-polling stops at the 202, under ignore-303 at the 303', async () => {
    const a = await consumer('async');
    await madxContentCreatorClient.run({ baseUrl: a.url, faults: ['no-polling'] });
    expect(a.seen.filter((s) => s.method === 'GET')).toEqual([]);
    const b = await consumer('see-other');
    await madxContentCreatorClient.run({ baseUrl: b.url, faults: ['ignore-303'] });
    expect(b.seen.filter((s) => s.method === 'GET')).toEqual([]);
  });

  it('refuses a fault it does not know', async () => {
    await expect(madxContentCreatorClient.run({ baseUrl: 'http://127.0.0.1:9', faults: ['put-without-id'] })).rejects.toThrow(/unknown fault/);
  });
});

describe('reference RPC Content Creator', () => {
  it('creates its reports with POST [base]/MeasureReport in JSON and XML', async () => {
    const c = await consumer('sync');
    await rpcContentCreatorClient.run({ baseUrl: c.url });
    expect(submissions(c.seen).map((s) => `${s.method} ${s.path} ${s.contentType}`)).toEqual(['POST /MeasureReport application/fhir+json', 'POST /MeasureReport application/fhir+xml']);
    const report = json(c.seen[0]!);
    expect(report.subject?.reference).toBe('Patient/q201');
    expect(report.group?.[0]?.stratifier?.[0]?.stratum?.[0]?.value).toBeDefined();
  });

  it.each([
    ['put-instead-of-post', (seen: Seen[]) => expect(`${seen[0]!.method} ${seen[0]!.path}`).toMatch(/^PUT \/MeasureReport\/.+/)],
    ['put-without-id', (seen: Seen[]) => expect(`${seen[0]!.method} ${seen[0]!.path}`).toBe('PUT /MeasureReport')],
    ['invalid-report', (seen: Seen[]) => expect(json(seen[0]!).group?.[0]?.stratifier?.[0]?.stratum?.[0]?.value).toBeUndefined()],
    ['location-subject', (seen: Seen[]) => expect(json(seen[0]!).subject?.reference).toBe('Location/lab-1')],
    ['wrong-content-type', (seen: Seen[]) => expect(seen[0]!.contentType).toBe('application/json')],
  ] as const)('under %s breaks its rule', async (fault, check) => {
    const c = await consumer('sync');
    await rpcContentCreatorClient.run({ baseUrl: c.url, faults: [fault] });
    check(c.seen);
  });
});
