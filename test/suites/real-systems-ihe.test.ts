/**
 * The mADX and RPC Content Consumer suites against servers nobody here wrote (the plain stand-in,
 * set up the way real FHIR servers behave) and against the reference Consumer with one fault: for
 * each habit, the conformant behaviour passes the requirement it speaks of, the broken one fails
 * it, and the verdict lands on that requirement's id. The stand-ins are reached over plain http,
 * so their https rows fail as they do for any plain-http SUT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeasureReport } from 'fhir/r4.js';
import madxSuite from '../../suites/madx/send-aggregate-report/content-consumer.js';
import rpcSuite from '../../suites/rpc/send-concordance-report/content-consumer.js';
import { differenceFromSent, sendFixture } from '../../suites/ihe-content/consumer-checks.js';
import { catalogue } from '../../ig/index.js';
import { defaultConfig } from '../../src/config/load.js';
import { planFor } from '../../src/cli/selection.js';
import { runSuites, type Fixture, type RequirementResult, type RunResults, type Suite } from '../../src/engine/index.js';
import { startContentConsumer } from '../../simulators/content-consumer/index.js';
import { startPlainServer, type PlainServer, type PlainServerOptions } from '../stand-ins/plain-fhir-server.js';

const base = defaultConfig().config;
const madx = madxSuite as unknown as Suite<Fixture>;
const rpc = rpcSuite as unknown as Suite<Fixture>;
const closers: (() => Promise<void>)[] = [];
afterAll(async () => Promise.all(closers.map((close) => close())));

/** A run of the suite against a base URL, claiming no option (a vendor's config names none). */
function runAgainst(suite: Suite<Fixture>, baseUrl: string): Promise<RunResults> {
  return runSuites({ suites: [suite], catalogue: catalogue(), plan: (s) => planFor(s, { ...base, sut: { name: 'stand-in', baseUrl, options: [] } }) });
}

async function plain(suite: Suite<Fixture>, options: PlainServerOptions): Promise<{ results: RunResults; server: PlainServer }> {
  const server = await startPlainServer(options);
  closers.push(() => server.close());
  return { results: await runAgainst(suite, server.baseUrl), server };
}

async function reference(suite: Suite<Fixture>, faults: string[]): Promise<RunResults> {
  const server = await startContentConsumer({ profile: suite === rpc ? 'rpc' : 'madx', faults });
  closers.push(() => server.close());
  return runAgainst(suite, server.url);
}

function row(results: RunResults, id: string): RequirementResult {
  const found = results.requirements.find((r) => r.id === id);
  if (!found) throw new Error(`no requirement ${id} in the results`);
  return found;
}
const verdicts = (results: RunResults, ids: readonly string[]) => Object.fromEntries(ids.map((id) => [id, row(results, id).verdict]));
const messages = (results: RunResults) => results.tests.flatMap((t) => t.assertions.map((a) => a.message));

describe('mADX Content Consumer suite against real-system habits', () => {
  let jsonOnly: { results: RunResults; server: PlainServer };
  let xml400: RunResults;
  let withXml: { results: RunResults; server: PlainServer };
  let observationAndDelete: { results: RunResults; server: PlainServer };
  let unknownType400: RunResults;
  let collection: RunResults;
  let noClientIds: RunResults;
  let brokenReference: RunResults;
  beforeAll(async () => {
    [jsonOnly, xml400, withXml, observationAndDelete, unknownType400, collection, noClientIds, brokenReference] = await Promise.all([
      plain(madx, {}),
      plain(madx, { unreadableBodyStatus: 400 }).then((x) => x.results),
      plain(madx, { formats: ['json', 'xml'], ifMatch: true }),
      plain(madx, { types: ['MeasureReport', 'Observation', 'Location', 'Organization'], delete: true }),
      plain(madx, { unknownTypeStatus: 400 }).then((x) => x.results),
      plain(madx, { collection: true }).then((x) => x.results),
      plain(madx, { updateCreate: false }).then((x) => x.results),
      reference(madx, ['no-501', 'operation-outcome-missing']),
    ]);
  }, 120_000);

  it('a JSON-only server passes the update and the JSON row, and fails only the XML rows, saying what XML got', () => {
    expect(verdicts(jsonOnly.results, ['MADX-CON-001', 'MADX-CON-FMT-JSON', 'MADX-CON-FMT-XML', 'MADX-CON-004'])).toEqual({
      'MADX-CON-001': 'pass',
      'MADX-CON-FMT-JSON': 'pass',
      'MADX-CON-FMT-XML': 'fail',
      'MADX-CON-004': 'fail',
    });
    expect(row(jsonOnly.results, 'MADX-CON-FMT-XML').reason).toMatch(
      /^measurereport-valid\.json PUT in XML to the new id MeasureReport\/madx-xml-\S+ answered 415 Unsupported Media Type; expected 200 OK or 201 Created \(/,
    );
    expect(messages(jsonOnly.results)).toContainEqual(expect.stringMatching(/^GET MeasureReport\/madx-\S+ gave back the report as sent \(status, type, measure, period, groups\)$/));
  });

  it('XML bodies answered 400 unread fail "processed" (not merely "not 415"); a server that reads XML passes it, read back as sent', () => {
    expect(verdicts(xml400, ['MADX-CON-FMT-XML', 'MADX-CON-004', 'MADX-CON-001'])).toEqual({ 'MADX-CON-FMT-XML': 'fail', 'MADX-CON-004': 'fail', 'MADX-CON-001': 'pass' });
    expect(row(xml400, 'MADX-CON-FMT-XML').reason).toMatch(/answered 400 Bad Request; expected 200 OK or 201 Created/);
    expect(verdicts(withXml.results, ['MADX-CON-FMT-XML', 'MADX-CON-004', 'MADX-CON-001'])).toEqual({ 'MADX-CON-FMT-XML': 'pass', 'MADX-CON-004': 'pass', 'MADX-CON-001': 'pass' });
    const xmlPut = withXml.server.requests.find((r) => r.method === 'PUT' && r.path.includes('/MeasureReport/madx-xml-') && r.contentType?.includes('xml'));
    expect(withXml.server.requests).toContainEqual(expect.objectContaining({ method: 'GET', path: xmlPut!.path, status: 200 }));
  });

  it('no validation: the 422 row fails, the OperationOutcome rows of refusals are skipped saying none came, and 019 is judged on error answers only', () => {
    expect(row(jsonOnly.results, 'MADX-CON-013')).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(/^measurereport-invalid-missing-subject\.json PUT at MeasureReport\/\S+ answered 201 Created; expected 422 Unprocessable Content/),
    });
    for (const id of ['MADX-CON-014', 'MADX-CON-018']) {
      expect(row(jsonOnly.results, id)).toMatchObject({
        verdict: 'skip',
        reason: expect.stringContaining('none of the 11 invalid reports (under the 3.0.0-comment text, the default) was refused (answered 201 Created)'),
      });
    }
    expect(row(jsonOnly.results, 'MADX-CON-019').verdict).toBe('pass');
    expect(messages(jsonOnly.results)).toContainEqual(expect.stringMatching(/^the error answers each carry an OperationOutcome: all 2 do$/));
  });

  it('a server that keeps neither the body id nor its absence fails the 400 row; one taking no XML leaves the DTD row undecided', () => {
    expect(row(jsonOnly.results, 'MADX-CON-007')).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(/^PUT MeasureReport\/(madx-\S+) with body id \1-other answered 201 Created; expected 400 Bad Request/),
    });
    expect(row(jsonOnly.results, 'MADX-SEC-003')).toMatchObject({ verdict: 'skip', reason: expect.stringContaining('answered 415 Unsupported Media Type), so there is no XML processing to guard') });
  });

  it('refusing collection Bundles is one SHOULD warning; the per-entry rows are skipped, saying why', () => {
    expect(row(jsonOnly.results, 'MADX-CON-023')).toMatchObject({
      verdict: 'warning',
      reason: expect.stringMatching(/^a collection Bundle of 3 valid reports: POST \[base\] answered 404 Not Found, POST \[base\]\/Bundle answered 404 Not Found; expected 200 OK or 201 Created/),
    });
    expect(row(jsonOnly.results, 'MADX-CON-015')).toMatchObject({ verdict: 'skip', reason: expect.stringContaining('the Consumer does not process collection Bundles') });
    const bundleTests = jsonOnly.results.tests.filter((t) => /Bundle/.test(t.title) && !/valid reports is accepted/.test(t.title));
    expect(bundleTests.map((t) => t.verdict)).toEqual(['skip', 'skip', 'skip']);
  });

  it('a server that processes collection Bundles without judging them passes the SHOULD and fails the per-entry SHALLs', () => {
    expect(verdicts(collection, ['MADX-CON-023', 'MADX-CON-015'])).toEqual({ 'MADX-CON-023': 'pass', 'MADX-CON-015': 'fail' });
    const bundle = collection.tests.find((t) => t.title.startsWith('a collection Bundle with invalid entries'))!;
    expect(bundle.assertions.filter((a) => !a.passed).map((a) => [a.requirements, a.message])).toEqual([
      [['MADX-CON-013'], 'POST [base] with a collection Bundle of 3 reports, 2 invalid answered 200 OK; expected 422 Unprocessable Content (the whole Bundle refused)'],
      [
        ['MADX-CON-015'],
        'POST [base] with a collection Bundle of 3 reports, 2 invalid answered 200 OK: no invalid report got an OperationOutcome of its own; expected one per invalid report (entries 0 and 2)',
      ],
      [['MADX-CON-013'], expect.stringMatching(/^GET MeasureReport\/madx-entry-\S+ answered 200 OK; expected 404 Not Found: the valid entry of a refused Bundle must not be kept$/)],
    ]);
  });

  it('404 is asked about a type the CapabilityStatement does not list, so a server serving Observation passes; one answering 400 fails', () => {
    expect(row(observationAndDelete.results, 'MADX-CON-009').verdict).toBe('pass');
    expect(observationAndDelete.server.requests.some((r) => r.path.includes('/Observation'))).toBe(false);
    expect(row(unknownType400, 'MADX-CON-009')).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(/^PUT BiologicallyDerivedProduct\/madx-\S+ \(a type the CapabilityStatement does not list\) answered 400 Bad Request; expected 404 Not Found/),
    });
    expect(row(unknownType400, 'MADX-CON-012').verdict).toBe('pass');
  });

  it('an unlisted method is tried only on a report the run created: a server implementing DELETE gets PATCH alone and passes; one doing what it does not list fails', () => {
    const { server, results } = observationAndDelete;
    expect(row(results, 'MADX-CON-012').verdict).toBe('pass');
    expect(server.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    const patch = server.requests.find((r) => r.method === 'PATCH')!;
    expect(server.requests.some((r) => r.method === 'PUT' && r.path === patch.path && r.status === 201)).toBe(true);
    expect(row(brokenReference, 'MADX-CON-012')).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(/^DELETE MeasureReport\/madx-\S+ \(delete not listed in the CapabilityStatement\) answered 200 OK; expected 501 Not Implemented \(or 405 Method Not Allowed\)/),
    });
    expect(row(brokenReference, 'MADX-CON-009').verdict).toBe('pass');
  });

  it('error answers without an OperationOutcome are named one by one under MADX-CON-019', () => {
    expect(row(brokenReference, 'MADX-CON-019')).toMatchObject({
      verdict: 'warning',
      reason: expect.stringMatching(
        /^3 of 3 do not \(PUT \/MeasureReport\/madx-\S+ answered 400 Bad Request with an empty body; PUT \/BiologicallyDerivedProduct\/madx-\S+ answered 404 Not Found with an empty body; PUT \/MeasureReport\/madx-invalid-\S+ answered 422 Unprocessable Content with an empty body\); expected every one: the error answers each carry an OperationOutcome/,
      ),
    });
  });

  it('If-Match: a server that keeps versions but ignores it fails MADX-CON-011; one honouring it passes', () => {
    expect(row(jsonOnly.results, 'MADX-CON-011')).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(/with If-Match W\/"1" after ETag W\/"2" answered 200 OK; expected 412 Precondition Failed or 409 Conflict/),
    });
    expect(row(withXml.results, 'MADX-CON-011').verdict).toBe('pass');
  });

  it('a server without client-chosen ids answers 405 and passes that row; the update rows are left undecided, saying why', () => {
    expect(row(noClientIds, 'MADX-CON-010').verdict).toBe('pass');
    expect(row(noClientIds, 'MADX-CON-001')).toMatchObject({ verdict: 'skip', reason: expect.stringContaining('does not let clients choose ids (405)') });
  });

  it('a plain-http server fails both https rows; a Consumer answering synchronously leaves the async MAYs unused', () => {
    for (const id of ['MADX-CON-003', 'MADX-SEC-001'])
      expect(row(jsonOnly.results, id)).toMatchObject({
        verdict: 'fail',
        reason: expect.stringMatching(/^the Consumer is reached over plain http \(http:\/\/127\.0\.0\.1:\d+\/fhir\); expected an https endpoint/),
      });
    expect(verdicts(jsonOnly.results, ['MADX-CON-002', 'MADX-CON-020', 'MADX-CON-021'])).toEqual({ 'MADX-CON-002': 'pass', 'MADX-CON-020': 'skip', 'MADX-CON-021': 'skip' });
    expect(row(jsonOnly.results, 'MADX-CON-020').reason).toMatch(/^not used \(MAY\): the Consumer answered 201 Created synchronously/);
  });
});

describe('RPC Content Consumer suite against real-system habits', () => {
  let create200: RunResults;
  let noClientIds: RunResults;
  let wrongCode: RunResults;
  beforeAll(async () => {
    [create200, noClientIds, wrongCode] = await Promise.all([
      plain(rpc, { createStatus: 200, types: ['MeasureReport', 'Observation'] }).then((x) => x.results),
      plain(rpc, { updateCreate: false }).then((x) => x.results),
      reference(rpc, ['wrong-success-code']),
    ]);
  }, 120_000);

  it('a server answering a create 200 passes the create and the JSON row; one answering 204 fails them', () => {
    expect(verdicts(create200, ['RPC-CON-001', 'RPC-CON-FMT-JSON', 'RPC-CON-FMT-XML', 'RPC-CON-004'])).toEqual({
      'RPC-CON-001': 'pass',
      'RPC-CON-FMT-JSON': 'pass',
      'RPC-CON-FMT-XML': 'fail',
      'RPC-CON-004': 'fail',
    });
    expect(row(wrongCode, 'RPC-CON-001')).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(/^measurereport-valid\.json POSTed in JSON to MeasureReport answered 204 No Content; expected 200 OK or 201 Created/),
    });
  });

  it('RPC-CON-014 passes on a synchronous answer, which is what it asks; the async MAYs are skipped as unused', () => {
    expect(verdicts(create200, ['RPC-CON-014', 'RPC-CON-002', 'RPC-CON-015', 'RPC-CON-016'])).toEqual({ 'RPC-CON-014': 'pass', 'RPC-CON-002': 'pass', 'RPC-CON-015': 'skip', 'RPC-CON-016': 'skip' });
    expect(messages(create200)).toContain('a plain POST MeasureReport was answered 200 OK synchronously');
  });

  it('404 and 501 follow the CapabilityStatement: a server serving Observation is asked about another type; OperationOutcome rows are judged on errors only', () => {
    expect(verdicts(create200, ['RPC-CON-008', 'RPC-CON-011', 'RPC-CON-013', 'RPC-CON-012'])).toEqual({ 'RPC-CON-008': 'pass', 'RPC-CON-011': 'pass', 'RPC-CON-013': 'pass', 'RPC-CON-012': 'fail' });
    expect(row(create200, 'RPC-ALN-001')).toMatchObject({ verdict: 'skip', reason: expect.stringMatching(/^not used \(MAY\): POST \[base\] with a collection Bundle answered 404 Not Found/) });
    expect(row(create200, 'RPC-ALN-002')).toMatchObject({ verdict: 'skip', reason: expect.stringContaining('the invalid report was answered 200 OK: there is no rejection to look at') });
  });

  it('PUT at a new id: 405 from a server without client ids passes RPC-CON-009; a server that creates leaves it undecided, saying so', () => {
    expect(row(noClientIds, 'RPC-CON-009').verdict).toBe('pass');
    expect(row(create200, 'RPC-CON-009')).toMatchObject({ verdict: 'skip', reason: expect.stringContaining('the Consumer lets clients choose ids') });
  });
});

describe('a report read back is held to the one sent', () => {
  const sent = (): MeasureReport => ({ ...sendFixture<MeasureReport>('madx', 'measurereport-valid.json'), id: 'x' });

  it('names the first element that differs, with what was read and what was sent', () => {
    const held = sent();
    held.group![0]!.population![0]!.count = 999;
    const count = sent().group![0]!.population![0]!.count;
    expect(differenceFromSent(sent(), held)).toBe(`MeasureReport.group[0].population[0].count is 999; sent ${count}`);
    expect(differenceFromSent(sent(), { ...sent(), group: [] } as MeasureReport)).toMatch(/^MeasureReport\.group has 0 entries; sent \d+$/);
    const { period: _p, ...noPeriod } = sent();
    expect(differenceFromSent(sent(), noPeriod as MeasureReport)).toMatch(/^MeasureReport\.period is absent; sent \{/);
  });

  it('takes what a server adds (meta, narrative, an element it fills in) as the same report', () => {
    const held: MeasureReport = { ...sent(), meta: { versionId: '3' }, text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } };
    held.group = held.group!.map((g) => ({ ...g, description: 'filled in by the server' }));
    expect(differenceFromSent(sent(), held)).toBeUndefined();
  });
});
