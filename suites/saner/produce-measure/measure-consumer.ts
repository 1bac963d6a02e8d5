/**
 * SANER Produce Measure, the Measure Consumer as server: the harness is the Measure Source and
 * pushes. Covers the MeasureConsumer ProduceMeasure Push, CSV-Push and Supplemental Data
 * statements, the transaction page, and the FHIR RESTful rules SANER leaves rejections to.
 */
import type { CapabilityStatement, MeasureReport, OperationOutcome } from 'fhir/r4.js';
import { defineSuite, test } from '../../../src/engine/index.js';
import { MEASURE_CONSUMER_PM_CSV_PUSH, MEASURE_CONSUMER_PM_PUSH, MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA } from '../../../ig/saner/capabilities.js';
import { batchTests } from './consumer-batch-tests.js';
import { csvTests } from './consumer-csv-tests.js';
import { countOf, declares, discover, FORMATS, newReport, readBack, validateReturned, withCount, writtenId, type ConsumerData } from './consumer-data.js';
import { rejectionTests } from './consumer-rejection-tests.js';
import type { ActorId } from '../../../ig/actors.js';

const SUCCESS = [200, 201, 204] as const;

const pushTests = [
  test<ConsumerData>('metadata answers a CapabilityStatement declaring MeasureReport create and update', {
    requirements: ['SANER-PG-CON-002', 'SANER-PM-PG-006', 'SANER-INT-PG-001', 'SANER-PG-CON-001'],
    negativeControl: 'no-metadata',
    description: 'A Measure Intermediary whose Consumer side takes pushes is tested as this Consumer, so its metadata rule (SANER-INT-PG-001) is decided here too.',
    async run(t) {
      const res = await t.sut.capabilities();
      t.expectStatus(res, 200, { requirement: 'SANER-PG-CON-002' });
      const cs = res.resource<CapabilityStatement>();
      t.require(cs.resourceType === 'CapabilityStatement', `GET [base]/metadata returned a ${cs.resourceType}`, { requirement: 'SANER-PG-CON-002' });
      const push = declares(cs, 'MeasureReport', 'create') && declares(cs, 'MeasureReport', 'update');
      t.expect(push, 'the CapabilityStatement declares create and update of MeasureReport: the Push Option', { requirement: 'SANER-PG-CON-001' });
    },
  }),
  test<ConsumerData>('a report created with POST is acknowledged and stored, in JSON and XML', {
    requirements: ['SANER-PM-CON-002', 'SANER-PM-PG-002', 'SANER-PM-PG-003', 'SANER-PM-CON-001'],
    negativeControl: 'lose-acknowledged',
    async run(t) {
      for (const format of FORMATS) {
        const sent = newReport();
        const res = await t.sut.create(sent, { format });
        t.expect(SUCCESS.includes(res.status as 200), `POST MeasureReport in ${format.toUpperCase()} answered ${res.status} (SANER takes 200, 201 or 204)`, { requirement: 'SANER-PM-PG-003' });
        const id = t.require(writtenId(res), `the ${format.toUpperCase()} create answer names the new report (Location header or body id)`, { requirement: 'SANER-PM-CON-002' });
        const body = res.text.trim() ? res.tryResource() : undefined;
        if (body?.ok && body.resource.resourceType === 'MeasureReport') await validateReturned(t, body.resource, 'SANER-PM-CON-001');
        const stored = await readBack(t, id, 'SANER-PM-CON-002', format);
        if (!stored) continue;
        t.expectEqual(countOf(stored, 'numTotBeds'), countOf(sent, 'numTotBeds'), `MeasureReport/${id} holds the pushed numTotBeds`, { requirement: 'SANER-PM-CON-002' });
        await validateReturned(t, stored, 'SANER-PM-CON-001');
      }
    },
  }),
  test<ConsumerData>('a create answers 201 with a Location of its own id, an ETag and Last-Modified', {
    requirements: ['FHIR-HTTP-005', 'FHIR-HTTP-007', 'FHIR-HTTP-008'],
    negativeControl: 'no-location-header',
    description: 'SANER takes 200 and 204 too (SANER-PM-PG-003); FHIR itself asks for 201 and a Location, and for the server to choose the id.',
    async run(t) {
      const res = await t.sut.create({ ...newReport(), id: 'chosen-by-the-client' } as MeasureReport);
      t.expectStatus(res, 201, { requirement: 'FHIR-HTTP-005' });
      const location = res.headers['location'];
      const id = /\/MeasureReport\/([^/]+)(\/_history\/[^/]+)?$/.exec(location ?? '')?.[1];
      t.require(id, `Location ${JSON.stringify(location ?? '(none)')} names [base]/MeasureReport/[id]`, { requirement: 'FHIR-HTTP-005' });
      t.expect(id !== 'chosen-by-the-client', `the server chose the id (${id}), ignoring the one in the body`, { requirement: 'FHIR-HTTP-008' });
      t.expect(res.headers['etag'], `ETag is ${res.headers['etag'] ?? '(none)'}`, { requirement: 'FHIR-HTTP-007' });
      t.expect(!Number.isNaN(Date.parse(res.headers['last-modified'] ?? '')), `Last-Modified is ${res.headers['last-modified'] ?? '(none)'}`, { requirement: 'FHIR-HTTP-007' });
    },
  }),
  test<ConsumerData>('an update with PUT replaces the stored values, in JSON and XML', {
    requirements: ['SANER-PM-CON-003', 'SANER-PM-PG-002', 'SANER-PM-PG-003', 'SANER-PM-PG-007', 'FHIR-HTTP-006'],
    negativeControl: 'update-creates-duplicate',
    async run(t) {
      for (const format of FORMATS) {
        const created = await t.sut.create(newReport(), { format });
        const id = t.require(writtenId(created), `the ${format.toUpperCase()} create answer names the new report`, { requirement: 'SANER-PM-CON-003' });
        const revised = withCount({ ...newReport(), id }, 'numTotBedsOcc', 222);
        const res = await t.sut.update(revised, { format });
        t.expect(SUCCESS.includes(res.status as 200), `PUT MeasureReport/${id} in ${format.toUpperCase()} answered ${res.status} (SANER takes 200, 201 or 204)`, { requirement: 'SANER-PM-PG-003' });
        t.expectStatus(res, 200, { requirement: 'FHIR-HTTP-006' });
        t.expect(res.headers['etag'] && res.headers['last-modified'], `the update answer carries ETag (${res.headers['etag'] ?? 'none'}) and Last-Modified (${res.headers['last-modified'] ?? 'none'})`, { requirement: 'FHIR-HTTP-006' });
        const stored = await readBack(t, id, 'SANER-PM-PG-007', format);
        if (!stored) return t.manual('the SUT offers no MeasureReport read: a person confirms, in the Consumer, that the report shows numTotBedsOcc 222 after the update');
        t.expectEqual(countOf(stored, 'numTotBedsOcc'), 222, `MeasureReport/${id} shows the updated numTotBedsOcc`, { requirement: 'SANER-PM-PG-007' });
        t.expectEqual(stored.id, id, 'the update kept the report id', { requirement: 'SANER-PM-CON-003' });
      }
    },
  }),
  test<ConsumerData>('an update of an id the Consumer does not hold creates it with 201 or is refused with 405', {
    requirements: ['FHIR-HTTP-006', 'FHIR-HTTP-011'],
    negativeControl: 'wrong-status-on-create',
    async run(t) {
      const id = `push-${Date.now().toString(36)}`;
      const res = await t.sut.update({ ...newReport(), id } as MeasureReport);
      if (res.status === 405) {
        const outcome = res.tryResource<OperationOutcome>();
        t.expect(outcome.ok && outcome.resource.resourceType === 'OperationOutcome', 'the 405 refusal carries an OperationOutcome', { requirement: 'FHIR-HTTP-011' });
        return;
      }
      t.expectStatus(res, 201, { requirement: 'FHIR-HTTP-006' });
      t.expect(res.headers['etag'] && res.headers['last-modified'], 'the answer carries ETag and Last-Modified', { requirement: 'FHIR-HTTP-006' });
      await readBack(t, id, 'FHIR-HTTP-006');
    },
  }),
  test<ConsumerData>('Prefer return=minimal, representation and OperationOutcome are honoured', {
    requirements: 'FHIR-HTTP-014',
    negativeControl: 'ignore-prefer',
    async run(t) {
      const minimal = await t.sut.create(newReport(), { headers: { prefer: 'return=minimal' } });
      t.expect(SUCCESS.includes(minimal.status as 200) && minimal.text.trim() === '', `return=minimal answered ${minimal.status} with ${minimal.text.trim() ? 'a body' : 'no body'}`);
      const full = await t.sut.create(newReport(), { headers: { prefer: 'return=representation' } });
      const resource = full.text.trim() ? full.tryResource() : undefined;
      t.expect(resource?.ok && resource.resource.resourceType === 'MeasureReport', `return=representation answered ${full.status} with ${resource?.ok ? `a ${resource.resource.resourceType}` : 'no resource'}`);
      const outcome = await t.sut.create(newReport(), { headers: { prefer: 'return=OperationOutcome' } });
      const oo = outcome.text.trim() ? outcome.tryResource() : undefined;
      t.expect(oo?.ok && oo.resource.resourceType === 'OperationOutcome', `return=OperationOutcome answered ${outcome.status} with ${oo?.ok ? `a ${oo.resource.resourceType}` : 'no resource'}`);
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
