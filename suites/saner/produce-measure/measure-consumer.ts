/**
 * SANER Produce Measure, the Measure Consumer as server: the harness is the Measure Source and
 * pushes. Covers the MeasureConsumer ProduceMeasure Push, CSV-Push and Supplemental Data
 * statements, the transaction page, and the FHIR RESTful rules SANER leaves rejections to.
 */
import type { CapabilityStatement, MeasureReport, OperationOutcome } from 'fhir/r4.js';
import { freshId, statusText } from '../../../src/engine/index.js';
import { defineSuite, test, type CheckOptions, type FhirResponse, type WireFormat } from '../../../src/engine/index.js';
import { MEASURE_CONSUMER_PM_CSV_PUSH, MEASURE_CONSUMER_PM_PUSH, MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA } from '../../../ig/saner/capabilities.js';
import { batchTests } from './consumer-batch-tests.js';
import { csvTests } from './consumer-csv-tests.js';
import {
  aResource,
  comparedElements,
  countOf,
  declares,
  differences,
  discover,
  listedFormats,
  newReport,
  readBack,
  validateReturned,
  withCount,
  writtenId,
  type ConsumerData,
  type ConsumerTest,
} from './consumer-data.js';
import { rejectionTests } from './consumer-rejection-tests.js';
import type { ActorId } from '../../../ig/actors.js';

/** SANER-PM-PG-003: what a Consumer may answer a successful create or update with. */
const SUCCESS: readonly number[] = [200, 201, 204];
const SUCCESS_TEXT = '200 OK, 201 Created or 204 No Content (SANER-PM-PG-003)';

function acknowledged(res: FhirResponse): boolean {
  return res.status >= 200 && res.status < 300;
}

/** What a create answer says of the report it stored. */
function namedReport(res: FhirResponse, format: string): string {
  const id = writtenId(res);
  return id ? `the ${format} create answer names MeasureReport/${id}` : `the ${format} create answer names no report (no Location, no body with an id); expected the id of the stored report`;
}

/**
 * One format row: a report created and then updated in that format, whatever the
 * CapabilityStatement lists, each read back and compared with what was sent.
 */
function formatRowTest(format: WireFormat, requirement: string) {
  const F = format.toUpperCase();
  return test<ConsumerData>(`a MeasureReport pushed in ${F} is stored as sent, by create and by update`, {
    requirements: requirement,
    negativeControl: `lose-content-of:${format}`,
    description: `The SANER CapabilityStatements list xml and json and a Measure Source may send either, so ${F} is pushed even when the CapabilityStatement does not list ${format}. Processed means acknowledged and stored as sent (read back), not merely not refused with 415.`,
    async run(t) {
      const sent = newReport();
      const created = await t.sut.create(sent, { format });
      const answered = `POST MeasureReport in ${F} answered ${statusText(created.status)}`;
      t.require(acknowledged(created), acknowledged(created) ? answered : `${answered}; expected ${SUCCESS_TEXT}`);
      const id = t.require(writtenId(created), namedReport(created, F));
      const afterCreate = await readBack(t, id, {});
      if (!afterCreate) return t.manual(`the SUT offers no MeasureReport read: a person confirms, in the Consumer, that MeasureReport/${id} holds the report pushed in ${F}`);
      expectAsSent(t, sent, afterCreate, `created in ${F}`);
      const revised = withCount({ ...newReport(), id }, 'numTotBedsOcc', 222);
      const updated = await t.sut.update(revised, { format });
      const put = `PUT MeasureReport/${id} in ${F} answered ${statusText(updated.status)}`;
      t.require(acknowledged(updated), acknowledged(updated) ? put : `${put}; expected ${SUCCESS_TEXT}`);
      const afterUpdate = await readBack(t, id, {});
      if (afterUpdate) expectAsSent(t, revised, afterUpdate, `updated in ${F}`);
    },
  });
}

function expectAsSent(t: ConsumerTest, sent: MeasureReport, stored: MeasureReport, how: string, options: CheckOptions = {}): void {
  const diff = differences(sent, stored);
  t.expect(
    diff.length === 0,
    diff.length
      ? `MeasureReport/${stored.id} ${how} was not stored as sent: ${diff.slice(0, 4).join('; ')}${diff.length > 4 ? `; … ${diff.length - 4} more` : ''}; expected what was sent`
      : `MeasureReport/${stored.id} ${how} reads back as sent (${comparedElements(sent)})`,
    options,
  );
}

const pushTests = [
  test<ConsumerData>('metadata answers a CapabilityStatement declaring MeasureReport create and update', {
    requirements: ['SANER-PG-CON-002', 'SANER-PM-PG-006', 'SANER-INT-PG-001', 'SANER-PG-CON-001'],
    negativeControl: 'no-metadata',
    description: 'A Measure Intermediary whose Consumer side takes pushes is tested as this Consumer, so its metadata rule (SANER-INT-PG-001) is decided here too.',
    async run(t) {
      const metadata = { requirement: ['SANER-PG-CON-002', 'SANER-PM-PG-006', 'SANER-INT-PG-001'] };
      const res = await t.sut.capabilities();
      t.expectStatus(res, 200, metadata);
      const parsed = res.tryResource<CapabilityStatement>();
      if (!parsed.ok) return t.require(undefined, parsed.error, { requirement: t.requirements });
      const cs = parsed.resource;
      t.require(
        cs.resourceType === 'CapabilityStatement',
        `GET [base]/metadata returned ${aResource(cs.resourceType)}${cs.resourceType === 'CapabilityStatement' ? '' : '; expected a CapabilityStatement'}`,
        { requirement: t.requirements },
      );
      const push = declares(cs, 'MeasureReport', 'create') && declares(cs, 'MeasureReport', 'update');
      t.expect(push, `the CapabilityStatement ${push ? 'declares' : 'does not declare'} create and update of MeasureReport${push ? ': the Push Option' : '; expected both (the Push Option)'}`, {
        requirement: 'SANER-PG-CON-001',
      });
    },
  }),
  formatRowTest('json', 'SANER-PM-FMT-001'),
  formatRowTest('xml', 'SANER-PM-FMT-002'),
  test<ConsumerData>('a report created with POST is acknowledged and stored', {
    requirements: ['SANER-PM-CON-002', 'SANER-PM-PG-002', 'SANER-PM-PG-003', 'SANER-PM-CON-001'],
    negativeControl: 'lose-acknowledged',
    description: `Pushed in each format the CapabilityStatement lists. SANER takes ${SUCCESS_TEXT}; FHIR's 201 and Location are judged under FHIR-HTTP-005. The stored report's conformance is judged under SANER-PM-CON-001.`,
    async run(t) {
      const create = { requirement: ['SANER-PM-CON-002', 'SANER-PM-PG-002'] };
      for (const format of listedFormats(t)) {
        const F = format.toUpperCase();
        const sent = newReport();
        const res = await t.sut.create(sent, { format });
        const answered = `POST MeasureReport in ${F} answered ${statusText(res.status)}`;
        t.expect(SUCCESS.includes(res.status), SUCCESS.includes(res.status) ? answered : `${answered}; expected ${SUCCESS_TEXT}`, { requirement: 'SANER-PM-PG-003' });
        t.require(acknowledged(res), acknowledged(res) ? answered : `${answered}; expected the report to be accepted`, create);
        const id = t.require(writtenId(res), namedReport(res, F), create);
        const body = res.text.trim() ? res.tryResource() : undefined;
        if (body?.ok && body.resource.resourceType === 'MeasureReport') await validateReturned(t, body.resource, 'SANER-PM-CON-001');
        const stored = await readBack(t, id, create);
        if (!stored) continue;
        const kept = countOf(stored, 'numTotBeds') === countOf(sent, 'numTotBeds');
        t.expect(kept, `MeasureReport/${id} holds numTotBeds ${countOf(stored, 'numTotBeds') ?? '(none)'}${kept ? ', as pushed' : `; expected ${countOf(sent, 'numTotBeds')}, as pushed`}`, create);
        await validateReturned(t, stored, 'SANER-PM-CON-001');
      }
    },
  }),
  test<ConsumerData>('a create answers 201 with a Location naming its own id and version, an ETag and Last-Modified', {
    requirements: ['FHIR-HTTP-005', 'FHIR-HTTP-007', 'FHIR-HTTP-008'],
    negativeControl: 'no-location-header',
    description:
      'FHIR R4 create: "The server returns a 201 Created HTTP status code, and SHALL also return a Location header which contains the new Logical Id and Version Id of the created resource version" ([base]/[type]/[id]/_history/[vid]); an id in the body "SHALL" be ignored. SANER takes 200 and 204 too (SANER-PM-PG-003).',
    async run(t) {
      const chosen = freshId('chosen-by-the-client');
      const res = await t.sut.create({ ...newReport(), id: chosen } as MeasureReport);
      t.expectStatus(res, 201, { requirement: 'FHIR-HTTP-005' });
      const location = res.headers['location'];
      const named = /\/MeasureReport\/([^/]+)\/_history\/([^/]+)$/.exec(location ?? '');
      t.expect(
        named,
        location === undefined
          ? 'the create answer has no Location header; expected [base]/MeasureReport/[id]/_history/[vid]'
          : named
            ? `Location is ${location}, naming the id and the version`
            : `Location is ${location}, without the id and /_history/[vid]; expected [base]/MeasureReport/[id]/_history/[vid]`,
        { requirement: 'FHIR-HTTP-005' },
      );
      const id = named?.[1] ?? writtenId(res);
      if (id === undefined) t.undecided('FHIR-HTTP-008', 'the create answer named no id (no Location, no body with an id), so whose id it is cannot be told');
      else
        t.expect(
          id !== chosen,
          id === chosen
            ? `the server kept the id ${chosen} from the body; expected an id of its own (FHIR ignores the id of a create)`
            : `the server chose its own id (${id}), ignoring ${chosen} in the body`,
          { requirement: 'FHIR-HTTP-008' },
        );
      const etag = res.headers['etag'];
      t.expect(etag, etag ? `ETag is ${etag}` : 'the create answer has no ETag; expected the version, e.g. W/"1"', { requirement: 'FHIR-HTTP-007' });
      const modified = res.headers['last-modified'];
      const dated = !Number.isNaN(Date.parse(modified ?? ''));
      t.expect(dated, modified === undefined ? 'the create answer has no Last-Modified; expected the time of the change' : `Last-Modified is ${modified}${dated ? '' : '; expected an HTTP date'}`, {
        requirement: 'FHIR-HTTP-007',
      });
    },
  }),
  test<ConsumerData>('an update with PUT replaces the stored values', {
    requirements: ['SANER-PM-CON-003', 'SANER-PM-PG-002', 'SANER-PM-PG-003', 'SANER-PM-PG-007', 'FHIR-HTTP-006'],
    negativeControl: 'update-creates-duplicate',
    description: `Pushed in each format the CapabilityStatement lists. SANER takes ${SUCCESS_TEXT}; FHIR's 200 with ETag and Last-Modified is judged under FHIR-HTTP-006.`,
    async run(t) {
      const update = { requirement: ['SANER-PM-CON-003', 'SANER-PM-PG-002'] };
      for (const format of listedFormats(t)) {
        const F = format.toUpperCase();
        const created = await t.sut.create(newReport(), { format });
        const id = writtenId(created);
        if (!acknowledged(created) || !id) {
          t.undecided(
            t.requirements,
            `creating the report to update in ${F} answered ${statusText(created.status)}${id ? '' : ' naming no report'}, so there was nothing to update (the create test judges that)`,
          );
          continue;
        }
        const revised = withCount({ ...newReport(), id }, 'numTotBedsOcc', 222);
        const res = await t.sut.update(revised, { format });
        const answered = `PUT MeasureReport/${id} in ${F} answered ${statusText(res.status)}`;
        t.expect(SUCCESS.includes(res.status), SUCCESS.includes(res.status) ? answered : `${answered}; expected ${SUCCESS_TEXT}`, { requirement: 'SANER-PM-PG-003' });
        if (!t.expect(acknowledged(res), acknowledged(res) ? answered : `${answered}; expected the update to be accepted`, update)) continue;
        t.expectStatus(res, 200, { requirement: 'FHIR-HTTP-006' });
        const headers = res.headers['etag'] && res.headers['last-modified'];
        t.expect(headers, `the update answer carries ETag ${res.headers['etag'] ?? '(none)'} and Last-Modified ${res.headers['last-modified'] ?? '(none)'}${headers ? '' : '; expected both'}`, {
          requirement: 'FHIR-HTTP-006',
        });
        const stored = await readBack(t, id, { requirement: ['SANER-PM-PG-007', 'SANER-PM-CON-003'] });
        if (!stored) return t.manual('the SUT offers no MeasureReport read: a person confirms, in the Consumer, that the report shows numTotBedsOcc 222 after the update');
        const shown = countOf(stored, 'numTotBedsOcc');
        t.expect(shown === 222, `MeasureReport/${id} shows numTotBedsOcc ${shown ?? '(none)'} after the ${F} update${shown === 222 ? '' : '; expected 222, the updated value'}`, {
          requirement: ['SANER-PM-PG-007', 'SANER-PM-CON-003'],
        });
        t.expect(stored.id === id, `the update kept the report id (${stored.id})`, { requirement: 'SANER-PM-CON-003' });
      }
    },
  }),
  test<ConsumerData>('an update of an id the Consumer does not hold creates it with 201 or is refused with 405', {
    requirements: ['FHIR-HTTP-006', 'FHIR-HTTP-011'],
    negativeControl: 'wrong-status-on-create',
    async run(t) {
      const id = freshId('push');
      const res = await t.sut.update({ ...newReport(), id } as MeasureReport);
      const answered = `PUT MeasureReport/${id} (an id the Consumer does not hold) answered ${statusText(res.status)}`;
      if (res.status === 405) {
        const outcome = res.tryResource<OperationOutcome>();
        const ok = outcome.ok && outcome.resource.resourceType === 'OperationOutcome';
        t.expect(ok, `${answered} with ${ok ? 'an OperationOutcome' : 'no OperationOutcome; expected one saying why'}`, { requirement: 'FHIR-HTTP-011' });
        t.undecided('FHIR-HTTP-006', `${answered}: the Consumer does not create on update, so the answer to an update that creates cannot be judged`);
        return;
      }
      t.expectStatus(res, 201, { requirement: ['FHIR-HTTP-006', 'FHIR-HTTP-011'] });
      const headers = res.headers['etag'] && res.headers['last-modified'];
      t.expect(headers, `the answer carries ETag ${res.headers['etag'] ?? '(none)'} and Last-Modified ${res.headers['last-modified'] ?? '(none)'}${headers ? '' : '; expected both'}`, {
        requirement: 'FHIR-HTTP-006',
      });
      await readBack(t, id, { requirement: ['FHIR-HTTP-006', 'FHIR-HTTP-011'] });
    },
  }),
  test<ConsumerData>('Prefer return=minimal, representation and OperationOutcome are honoured', {
    requirements: 'FHIR-HTTP-014',
    negativeControl: 'ignore-prefer',
    async run(t) {
      const got = (res: FhirResponse) => {
        const parsed = res.text.trim() ? res.tryResource() : undefined;
        return parsed === undefined ? 'no body' : parsed.ok ? aResource(parsed.resource.resourceType) : 'a body that is no FHIR resource';
      };
      const minimal = await t.sut.create(newReport(), { headers: { prefer: 'return=minimal' } });
      const none = acknowledged(minimal) && minimal.text.trim() === '';
      t.expect(none, `return=minimal answered ${statusText(minimal.status)} with ${got(minimal)}${none ? '' : '; expected no body'}`);
      const full = await t.sut.create(newReport(), { headers: { prefer: 'return=representation' } });
      const resource = full.text.trim() ? full.tryResource() : undefined;
      const isReport = resource?.ok === true && resource.resource.resourceType === 'MeasureReport';
      t.expect(isReport, `return=representation answered ${statusText(full.status)} with ${got(full)}${isReport ? '' : '; expected the stored MeasureReport'}`);
      const outcome = await t.sut.create(newReport(), { headers: { prefer: 'return=OperationOutcome' } });
      const oo = outcome.text.trim() ? outcome.tryResource() : undefined;
      const isOutcome = oo?.ok === true && oo.resource.resourceType === 'OperationOutcome';
      t.expect(isOutcome, `return=OperationOutcome answered ${statusText(outcome.status)} with ${got(outcome)}${isOutcome ? '' : '; expected an OperationOutcome'}`);
    },
  }),
];

export default defineSuite<ConsumerData>({
  id: 'saner/produce-measure/measure-consumer',
  title: 'SANER Produce Measure: Measure Consumer (server)',
  actorUnderTest: 'ProduceMeasureConsumer' satisfies ActorId,
  role: 'server',
  capabilities: [MEASURE_CONSUMER_PM_PUSH, MEASURE_CONSUMER_PM_CSV_PUSH, MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA],
  options: ['Push', 'CSV', 'SupplementalData'],
  setup: discover,
  tests: [...pushTests, ...rejectionTests, ...csvTests, ...batchTests],
});
