/**
 * Any FHIR R4 server: its CapabilityStatement, content negotiation, and the read and search
 * answers every IG transaction here builds on. Runs against whatever server the SUT is. Formats
 * are asked for only where the CapabilityStatement lists them: FHIR makes XML a SHOULD, so a
 * JSON-only server that says so is conformant here, and the IGs' own format rows carry XML.
 */
import type { Bundle, CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4.js';
import { defineSuite, test, type FhirResponse, type TestContext, type WireFormat } from '../../src/engine/index.js';
import { statusText } from '../../src/engine/index.js';
import { formatOfMediaType } from '../../src/fhir/negotiation.js';
import type { ActorId } from '../../ig/actors.js';

const MEDIA: Record<WireFormat, string> = { json: 'application/fhir+json', xml: 'application/fhir+xml' };
const FORMATS: readonly WireFormat[] = ['json', 'xml'];
const NO_SUCH_ID = 'measure-conformance-no-such-id';

/**
 * The server's CapabilityStatement. In the tests of the statement itself a bad answer fails them;
 * elsewhere (`precondition`) it only means there is nothing to go on, and the test is skipped.
 */
async function capabilityStatement(t: TestContext, use: 'subject' | 'precondition' = 'subject'): Promise<CapabilityStatement> {
  const res = await t.sut.capabilities();
  if (use === 'precondition') {
    const parsed = res.tryResource<CapabilityStatement>();
    if (res.status === 200 && parsed.ok && parsed.resource.resourceType === 'CapabilityStatement') return parsed.resource;
    return t.skip(`GET [base]/metadata answered ${res.status} with ${bodyOf(res)}, so there is no CapabilityStatement to go on (see FHIR-CAP-001)`);
  }
  t.expectStatus(res, 200);
  const cs = res.resource<CapabilityStatement>();
  t.require(
    cs.resourceType === 'CapabilityStatement',
    `GET [base]/metadata returned ${aResource(cs.resourceType)}${cs.resourceType === 'CapabilityStatement' ? '' : '; expected a CapabilityStatement'}`,
  );
  return cs;
}

/** The formats a CapabilityStatement lists, whichever way it names them (json, application/fhir+json, …). */
function listedFormats(cs: CapabilityStatement): WireFormat[] {
  const listed = new Set((cs.format ?? []).map((f) => formatOfMediaType(f)));
  return FORMATS.filter((f) => listed.has(f));
}

/** The format to ask in when any will do: JSON where listed, else what the server lists. */
function preferred(formats: readonly WireFormat[]): WireFormat {
  return formats.includes('json') ? 'json' : (formats[0] ?? 'json');
}

function noteUnlisted(t: TestContext, listed: readonly WireFormat[]): void {
  for (const f of FORMATS.filter((x) => !listed.includes(x)))
    t.note(`CapabilityStatement.format does not list ${f}, so nothing is asked for in ${f.toUpperCase()} (FHIR makes supporting both formats a SHOULD)`);
}

/** A resource type the server says it can both search and read, preferring MeasureReport. */
function readableSearchableType(cs: CapabilityStatement): string | undefined {
  const resources: CapabilityStatementRestResource[] = cs.rest?.find((r) => r.mode === 'server')?.resource ?? [];
  const can = (r: CapabilityStatementRestResource, code: string) => (r.interaction ?? []).some((i) => i.code === code);
  const usable = resources.filter((r) => can(r, 'read') && can(r, 'search-type')).map((r) => r.type);
  return usable.includes('MeasureReport') ? 'MeasureReport' : usable[0];
}

/** The resource type a test reads and searches, and the formats listed; skipped when the server declares no such type. */
async function typeUnderTest(t: TestContext): Promise<{ type: string; formats: WireFormat[] }> {
  const cs = await capabilityStatement(t, 'precondition');
  const type = readableSearchableType(cs) ?? t.skip('the CapabilityStatement declares no resource type with both read and search-type');
  return { type, formats: listedFormats(cs) };
}

function isOperationOutcome(res: FhirResponse): boolean {
  const parsed = res.tryResource();
  return parsed.ok && parsed.resource.resourceType === 'OperationOutcome';
}

/** `an OperationOutcome`, `a Bundle`. */
function aResource(type: string): string {
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`;
}

function bodyOf(res: FhirResponse): string {
  const parsed = res.tryResource();
  if (parsed.ok) return aResource(parsed.resource.resourceType);
  return res.text.trim() ? `a body that is no FHIR resource (${parsed.error})` : 'an empty body';
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
        const ok = cs.kind === 'instance' || cs.kind === 'capability';
        t.expect(ok, `CapabilityStatement.kind is ${JSON.stringify(cs.kind)}${ok ? '' : '; expected instance or capability'}`);
      },
    }),

    test('CapabilityStatement declares FHIR 4.0.1', {
      requirements: 'FHIR-CAP-002',
      negativeControl: 'metadata-wrong-fhir-version',
      async run(t) {
        const cs = await capabilityStatement(t);
        const ok = cs.fhirVersion === '4.0.1';
        t.expect(ok, `CapabilityStatement.fhirVersion is ${JSON.stringify(cs.fhirVersion)}${ok ? '' : '; expected 4.0.1'}`);
      },
    }),

    test('CapabilityStatement lists the formats the server serves, and only those', {
      requirements: 'FHIR-CAP-003',
      negativeControl: 'metadata-missing-format',
      description:
        'Each format is asked for on [base]/metadata: a format served must be listed and a format listed must be served. A JSON-only server listing json alone passes (FHIR makes XML a SHOULD).',
      async run(t) {
        const cs = await capabilityStatement(t);
        const listed = listedFormats(cs);
        const shown = JSON.stringify(cs.format ?? []);
        t.expect(listed.length > 0, listed.length ? `CapabilityStatement.format is ${shown}` : `CapabilityStatement.format is ${shown}; expected json, xml or both`);
        for (const format of FORMATS) {
          const res = await t.sut.capabilities({ format });
          const served = res.status === 200 && res.format === format && res.tryResource().ok;
          const asked = `Accept: ${MEDIA[format]} answered ${res.status}${served ? ` in ${format.toUpperCase()}` : res.format && res.format !== format ? ` in ${res.format.toUpperCase()}` : ''}`;
          const says = `CapabilityStatement.format ${shown} ${listed.includes(format) ? 'lists' : 'does not list'} ${format}`;
          if (served === listed.includes(format)) t.expect(true, `${asked}, and ${says}`);
          else t.expect(false, served ? `${asked}, but ${says}; expected every format served to be listed` : `${says}, but ${asked}; expected a format listed to be served`);
        }
      },
    }),

    test('CapabilityStatement declares its resources in a server rest entry', {
      requirements: 'FHIR-CAP-004',
      negativeControl: 'metadata-no-rest',
      async run(t) {
        const cs = await capabilityStatement(t);
        const server = cs.rest?.find((r) => r.mode === 'server');
        const rest = t.require(
          server,
          server ? 'CapabilityStatement.rest has an entry with mode server' : `CapabilityStatement.rest has ${cs.rest?.length ?? 0} entries, none with mode server; expected one`,
        );
        const resources = rest.resource ?? [];
        t.expect(resources.length > 0, `the server rest entry declares ${resources.length} resource types${resources.length ? '' : '; expected at least one'}`);
        t.expectEvery(resources, (r) => (r.interaction ?? []).length > 0, 'every declared resource type lists its interactions', { show: (r) => `${r.type} lists none` });
      },
    }),

    test('Accept selects the response format', {
      requirements: ['FHIR-FMT-002', 'FHIR-FMT-001'],
      negativeControl: 'ignore-format',
      async run(t) {
        const listed = listedFormats(await capabilityStatement(t, 'precondition'));
        if (listed.length === 0) return t.skip('CapabilityStatement.format lists neither json nor xml, so there is no format to ask for (see FHIR-CAP-003)');
        noteUnlisted(t, listed);
        for (const format of listed) {
          const res = await t.sut.capabilities({ format });
          const answered = `Accept: ${MEDIA[format]} answered ${statusText(res.status)}`;
          if (
            !t.expect(res.status === 200, res.status === 200 ? answered : `${answered}; expected 200 OK in ${format.toUpperCase()}, which the CapabilityStatement lists`, {
              requirement: 'FHIR-FMT-002',
            })
          )
            continue;
          t.expectContentType(res, format, { requirement: 'FHIR-FMT-002' });
          const parsed = res.tryResource();
          t.expect(parsed.ok, parsed.ok ? `the body parses as FHIR ${res.format?.toUpperCase()}, as its Content-Type says` : parsed.error, { requirement: 'FHIR-FMT-001' });
          if (parsed.ok) {
            const type = parsed.resource.resourceType;
            t.expect(type === 'CapabilityStatement', `the ${res.format?.toUpperCase()} body is ${aResource(type)}${type === 'CapabilityStatement' ? '' : '; expected a CapabilityStatement'}`, {
              requirement: 'FHIR-FMT-002',
            });
          }
        }
      },
    }),

    test('_format overrides Accept', {
      requirements: 'FHIR-FMT-003',
      negativeControl: 'ignore-format-param',
      description: 'Accept names the other format, _format the one listed: the answer comes in the _format one (for a server listing one format, the Accept alone would be refused).',
      async run(t) {
        const listed = listedFormats(await capabilityStatement(t, 'precondition'));
        if (listed.length === 0) return t.skip('CapabilityStatement.format lists neither json nor xml, so there is no format to ask for (see FHIR-CAP-003)');
        for (const format of listed) {
          const other = format === 'json' ? 'xml' : 'json';
          const res = await t.sut.capabilities({ accept: MEDIA[other], formatParam: MEDIA[format] });
          const contentType = res.headers['content-type'];
          const ok = res.status === 200 && res.format === format;
          t.expect(
            ok,
            `Accept: ${MEDIA[other]} with _format=${MEDIA[format]} answered ${res.status} with Content-Type ${contentType ?? '(none)'}${ok ? '' : `; expected 200 in ${MEDIA[format]}, as _format says`}`,
          );
        }
      },
    }),

    test('Content-Type names the FHIR media type of the body and charset utf-8', {
      requirements: ['FHIR-FMT-001', 'FHIR-FMT-005'],
      negativeControl: 'xml-with-json-content-type',
      async run(t) {
        const listed = listedFormats(await capabilityStatement(t, 'precondition'));
        if (listed.length === 0) return t.skip('CapabilityStatement.format lists neither json nor xml, so there is no format to ask for (see FHIR-CAP-003)');
        noteUnlisted(t, listed);
        for (const format of listed) {
          const res = await t.sut.capabilities({ format });
          if (res.status !== 200) {
            t.note(`asked for ${format.toUpperCase()}, GET [base]/metadata answered ${statusText(res.status)}: no body to judge the labelling of (FHIR-FMT-002 judges the answer)`);
            continue;
          }
          const contentType = res.headers['content-type'] ?? '';
          const seen = `the ${format.toUpperCase()} answer's Content-Type is ${contentType ? JSON.stringify(contentType) : 'missing'}`;
          const media = Object.values(MEDIA).includes(contentType.split(';')[0]?.trim().toLowerCase() ?? '');
          t.expect(media, media ? seen : `${seen}; expected application/fhir+json or application/fhir+xml`, { requirement: 'FHIR-FMT-001' });
          const charset = /;\s*charset=utf-8/i.test(contentType);
          t.expect(charset, charset ? seen : `${seen}; expected charset=utf-8`, { requirement: 'FHIR-FMT-005' });
          const parsed = res.tryResource();
          t.expect(parsed.ok, parsed.ok ? `the body parses as FHIR ${res.format?.toUpperCase()}, as its Content-Type says` : parsed.error, { requirement: 'FHIR-FMT-001' });
        }
      },
    }),

    test('an unsupported Accept format is refused with 406', {
      requirements: 'FHIR-FMT-004',
      negativeControl: 'no-406',
      async run(t) {
        const res = await t.sut.capabilities({ accept: 'application/pdf' });
        const ok = res.status === 406;
        t.expect(ok, `Accept: application/pdf answered ${statusText(res.status)}${ok ? '' : `${res.format ? ` in ${res.format.toUpperCase()}` : ''}; expected 406 Not Acceptable`}`);
      },
    }),

    test('a search answers a searchset Bundle', {
      requirements: 'FHIR-HTTP-003',
      negativeControl: 'refuse-interaction:MeasureReport/search-type',
      async run(t) {
        const { type, formats } = await typeUnderTest(t);
        const format = preferred(formats);
        const res = await t.sut.search(type, { _count: 1 }, { format });
        t.expectStatus(res, 200);
        const bundle = res.resource();
        t.require(bundle.resourceType === 'Bundle', `GET [base]/${type}?_count=1 returned ${aResource(bundle.resourceType)}${bundle.resourceType === 'Bundle' ? '' : '; expected a Bundle'}`);
        const kind = (bundle as Bundle).type;
        t.expect(kind === 'searchset', `Bundle.type is ${JSON.stringify(kind)}${kind === 'searchset' ? '' : '; expected searchset'}`);
        const nothing = await t.sut.search(type, { _id: NO_SUCH_ID }, { format });
        t.expectStatus(nothing, 200);
        const found = nothing.entries(type).length;
        t.expect(found === 0, `a search by _id=${NO_SUCH_ID} found ${found} ${type}${found ? '; expected an empty searchset' : ''}`);
      },
    }),

    test('a read answers the resource with the id asked for', {
      requirements: 'FHIR-HTTP-001',
      negativeControl: 'refuse-interaction:MeasureReport/read',
      async run(t) {
        const { type, formats } = await typeUnderTest(t);
        const found = (await t.sut.search(type, { _count: 1 }, { format: preferred(formats) })).entries(type)[0];
        if (!found?.id) return t.skip(`the server holds no ${type} to read`);
        noteUnlisted(t, formats);
        for (const format of formats.length ? formats : ['json' as const]) {
          const res = await t.sut.read(type, found.id, { format });
          t.expectStatus(res, 200);
          const read = res.resource();
          const got = `${read.resourceType}/${read.id}`;
          const want = `${type}/${found.id}`;
          t.expect(got === want, `the ${format.toUpperCase()} read of ${want} returned ${got}${got === want ? '' : `; expected ${want}`}`);
        }
      },
    }),

    test('a read of an unknown id answers 404', {
      requirements: 'FHIR-HTTP-002',
      negativeControl: 'refuse-interaction:MeasureReport/read',
      async run(t) {
        const { type, formats } = await typeUnderTest(t);
        const res = await t.sut.read(type, NO_SUCH_ID, { format: preferred(formats) });
        t.expectStatus(res, [404, 410]);
      },
    }),

    test('an error answer carries an OperationOutcome', {
      requirements: 'FHIR-HTTP-004',
      negativeControl: 'operation-outcome-missing',
      description: 'Judged on the error answers the server gave (a read of an unknown id, an Accept it cannot serve), never on successes.',
      async run(t) {
        const { type, formats } = await typeUnderTest(t);
        const asked = [await t.sut.read(type, NO_SUCH_ID, { format: preferred(formats) }), await t.sut.capabilities({ accept: 'application/pdf' })];
        const errors = asked.filter((r) => r.status >= 400);
        if (errors.length === 0) return t.skip(`no error answer to judge: ${asked.map((r) => `${r.exchange.method} ${r.exchange.url} answered ${r.status}`).join('; ')}`);
        t.expectEvery(errors, isOperationOutcome, 'the error answers carry an OperationOutcome', {
          show: (r) => `${r.exchange.method} ${r.exchange.url} answered ${r.status} with ${bodyOf(r)}`,
        });
      },
    }),
  ],
});
