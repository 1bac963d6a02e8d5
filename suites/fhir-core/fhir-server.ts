/**
 * Any FHIR R4 server: its CapabilityStatement, content negotiation, and the read and search
 * answers every IG transaction here builds on. Runs against whatever server the SUT is.
 */
import type { Bundle, CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4.js';
import { defineSuite, test, type TestContext } from '../../src/engine/index.js';
import type { ActorId } from '../../ig/actors.js';

const FHIR_JSON = 'application/fhir+json';
const FHIR_XML = 'application/fhir+xml';

async function capabilityStatement(t: TestContext): Promise<CapabilityStatement> {
  const res = await t.sut.capabilities();
  t.require(res.status === 200, `GET [base]/metadata answered ${res.status}, expected 200`);
  const cs = res.resource<CapabilityStatement>();
  t.require(cs.resourceType === 'CapabilityStatement', `GET [base]/metadata returned a ${cs.resourceType}, expected a CapabilityStatement`);
  return cs;
}

/** A resource type the server says it can both search and read, preferring MeasureReport. */
function readableSearchableType(cs: CapabilityStatement): string | undefined {
  const resources: CapabilityStatementRestResource[] = cs.rest?.find((r) => r.mode === 'server')?.resource ?? [];
  const can = (r: CapabilityStatementRestResource, code: string) => (r.interaction ?? []).some((i) => i.code === code);
  const usable = resources.filter((r) => can(r, 'read') && can(r, 'search-type')).map((r) => r.type);
  return usable.includes('MeasureReport') ? 'MeasureReport' : usable[0];
}

/** The resource type a test reads and searches; the test is skipped when the server declares none. */
async function typeUnderTest(t: TestContext): Promise<string> {
  const type = readableSearchableType(await capabilityStatement(t));
  return type ?? t.skip('the CapabilityStatement declares no resource type with both read and search-type');
}

export default defineSuite({
  id: 'fhir-core/fhir-server',
  title: 'FHIR R4 server: capabilities, formats, read and search',
  actorUnderTest: 'FhirServer' satisfies ActorId,
  role: 'server',
  capabilities: [],
  tests: [
    test('metadata answers a CapabilityStatement', {
      requirements: 'FHIR-CAP-001',
      negativeControl: 'no-metadata',
      async run(t) {
        const cs = await capabilityStatement(t);
        t.expect(cs.kind === 'instance' || cs.kind === 'capability', `CapabilityStatement.kind is ${JSON.stringify(cs.kind)}, expected instance or capability`);
      },
    }),

    test('CapabilityStatement declares FHIR 4.0.1', {
      requirements: 'FHIR-CAP-002',
      negativeControl: 'metadata-wrong-fhir-version',
      async run(t) {
        const cs = await capabilityStatement(t);
        t.expectEqual(cs.fhirVersion, '4.0.1', 'CapabilityStatement.fhirVersion is 4.0.1');
      },
    }),

    test('CapabilityStatement lists the JSON and XML formats', {
      requirements: 'FHIR-CAP-003',
      negativeControl: 'metadata-missing-format',
      async run(t) {
        const formats = (await capabilityStatement(t)).format ?? [];
        t.expect(formats.some((f) => ['json', FHIR_JSON].includes(f)), `CapabilityStatement.format ${JSON.stringify(formats)} lists json`);
        t.expect(formats.some((f) => ['xml', FHIR_XML].includes(f)), `CapabilityStatement.format ${JSON.stringify(formats)} lists xml`);
      },
    }),

    test('CapabilityStatement declares its resources in a server rest entry', {
      requirements: 'FHIR-CAP-004',
      negativeControl: 'metadata-no-rest',
      async run(t) {
        const cs = await capabilityStatement(t);
        const rest = t.require(cs.rest?.find((r) => r.mode === 'server'), 'CapabilityStatement has a rest entry with mode server');
        const resources = rest.resource ?? [];
        t.expect(resources.length > 0, 'the server rest entry declares at least one resource type');
        t.expectEvery(resources, (r) => (r.interaction ?? []).length > 0, 'every declared resource type lists its interactions');
      },
    }),

    test('Accept selects the response format', {
      requirements: ['FHIR-FMT-002', 'FHIR-FMT-001'],
      negativeControl: 'ignore-format',
      async run(t) {
        for (const format of ['json', 'xml'] as const) {
          const res = await t.sut.capabilities({ format });
          t.expectStatus(res, 200);
          t.expectContentType(res, format);
          t.expectResourceType(res.resource(), 'CapabilityStatement');
        }
      },
    }),

    test('_format overrides Accept', {
      requirements: 'FHIR-FMT-003',
      negativeControl: 'ignore-format-param',
      async run(t) {
        const xml = await t.sut.capabilities({ format: 'json', formatParam: 'xml' });
        t.expectContentType(xml, 'xml');
        const json = await t.sut.capabilities({ format: 'xml', formatParam: FHIR_JSON });
        t.expectContentType(json, 'json');
      },
    }),

    test('Content-Type names the FHIR media type of the body and charset utf-8', {
      requirements: ['FHIR-FMT-001', 'FHIR-FMT-005'],
      negativeControl: 'xml-with-json-content-type',
      async run(t) {
        for (const [format, media] of [['json', FHIR_JSON], ['xml', FHIR_XML]] as const) {
          const res = await t.sut.capabilities({ format });
          const contentType = res.headers['content-type'] ?? '';
          t.expect(contentType.split(';')[0]?.trim() === media, `Content-Type ${JSON.stringify(contentType)} is ${media}`);
          t.expect(/;\s*charset=utf-8/i.test(contentType), `Content-Type ${JSON.stringify(contentType)} says charset=utf-8`);
          const parsed = res.tryResource();
          t.expect(parsed.ok, parsed.ok ? `the body parses as FHIR ${format}` : parsed.error);
        }
      },
    }),

    test('an unsupported Accept format is refused with 406', {
      requirements: 'FHIR-FMT-004',
      negativeControl: 'no-406',
      async run(t) {
        const res = await t.sut.capabilities({ accept: 'application/pdf' });
        t.expectStatus(res, 406);
      },
    }),

    test('a search answers a searchset Bundle', {
      requirements: 'FHIR-HTTP-003',
      negativeControl: 'refuse-interaction:MeasureReport/search-type',
      async run(t) {
        const type = await typeUnderTest(t);
        const res = await t.sut.search(type, { _count: 1 });
        t.expectStatus(res, 200);
        const bundle = res.resource();
        t.require(bundle.resourceType === 'Bundle', `search answered a ${bundle.resourceType}, expected a Bundle`);
        t.expectEqual((bundle as Bundle).type, 'searchset', 'Bundle.type is searchset');
        const nothing = await t.sut.search(type, { _id: 'measure-conformance-no-such-id' });
        t.expectStatus(nothing, 200);
        t.expectEqual(nothing.entries(type).length, 0, 'a search matching nothing answers an empty searchset');
      },
    }),

    test('a read answers the resource with the id asked for', {
      requirements: 'FHIR-HTTP-001',
      negativeControl: 'refuse-interaction:MeasureReport/read',
      async run(t) {
        const type = await typeUnderTest(t);
        const found = (await t.sut.search(type, { _count: 1 })).entries(type)[0];
        if (!found?.id) return t.skip(`the server holds no ${type} to read`);
        for (const format of ['json', 'xml'] as const) {
          const res = await t.sut.read(type, found.id, { format });
          t.expectStatus(res, 200);
          const read = res.resource();
          t.expectEqual(`${read.resourceType}/${read.id}`, `${type}/${found.id}`, `the ${format} read returns ${type}/${found.id}`);
        }
      },
    }),

    test('a read of an unknown id answers 404', {
      requirements: 'FHIR-HTTP-002',
      negativeControl: 'refuse-interaction:MeasureReport/read',
      async run(t) {
        const type = await typeUnderTest(t);
        const res = await t.sut.read(type, 'measure-conformance-no-such-id');
        t.expectStatus(res, [404, 410]);
      },
    }),

    test('an error answer carries an OperationOutcome', {
      requirements: 'FHIR-HTTP-004',
      negativeControl: 'operation-outcome-missing',
      async run(t) {
        const type = await typeUnderTest(t);
        const res = await t.sut.read(type, 'measure-conformance-no-such-id');
        t.require(res.status >= 400, `a read of an unknown id answered ${res.status}, so there is no error answer to inspect`);
        const outcome = res.tryResource();
        t.expect(outcome.ok && outcome.resource.resourceType === 'OperationOutcome', outcome.ok ? `the ${res.status} body is a ${outcome.resource.resourceType}, expected an OperationOutcome` : `the ${res.status} answer has no OperationOutcome: ${outcome.error}`);
      },
    }),
  ],
});
