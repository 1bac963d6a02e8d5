/**
 * The Supplemental Data Option: a `batch` Bundle POSTed to [base], the MeasureReport first and the
 * resources its evaluatedResource names after it (digest §7 D5), answered with a batch-response of
 * one entry per request entry and stored entry by entry.
 */
import type { Bundle, BundleEntry, CapabilityStatement } from 'fhir/r4.js';
import { test, type FhirResponse } from '../../../src/engine/index.js';
import { declares, pushFixture, readBack, validateReturned, type ConsumerData, type ConsumerTest } from './consumer-data.js';

const SD_ONLY = { options: ['SupplementalData'] };

async function postBatch(t: ConsumerTest, file: string): Promise<{ sent: Bundle; res: FhirResponse }> {
  const sent = pushFixture<Bundle>(file);
  return { sent, res: await t.sut.request('POST', '', { body: JSON.stringify(sent), headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' } }) };
}

/** The batch-response, after checking it has one entry per request entry. */
function batchResponse(t: ConsumerTest, sent: Bundle, res: FhirResponse): BundleEntry[] {
  t.require(res.status === 200, `POST [base] with a batch answered ${res.status}`, { requirement: 'SANER-SD-CON-001' });
  const answer = res.resource<Bundle>();
  t.require(answer.resourceType === 'Bundle' && answer.type === 'batch-response', `the answer is a batch-response Bundle (got ${answer.resourceType} ${answer.type ?? ''})`, { requirement: 'SANER-SD-PG-001' });
  const entries = answer.entry ?? [];
  t.require(entries.length === (sent.entry ?? []).length, `the batch-response has ${entries.length} entries for ${(sent.entry ?? []).length} request entries`, { requirement: 'SANER-SD-PG-001' });
  t.expectEvery(entries, (e) => /^\d{3}\b/.test(e.response?.status ?? ''), 'every response entry carries its HTTP status', { requirement: 'SANER-SD-PG-001' });
  return entries;
}

const statusOf = (e: BundleEntry | undefined): number => Number((e?.response?.status ?? '').slice(0, 3));

const idIn = (e: BundleEntry | undefined, type: string): string | undefined =>
  new RegExp(`(?:^|/)${type}/([^/]+)`).exec(e?.response?.location ?? '')?.[1] ?? (e?.resource?.resourceType === type ? e.resource.id : undefined);

export const batchTests = [
  test<ConsumerData>('a Supplemental Data batch is answered entry by entry and its report and resources are stored', {
    requirements: ['SANER-SD-CON-001', 'SANER-SD-PG-001', 'SANER-SD-PG-003', 'SANER-PG-CON-003'],
    preconditions: SD_ONLY,
    negativeControl: 'lose-acknowledged',
    async run(t) {
      const { sent, res } = await postBatch(t, 'bundle-supplemental-batch.json');
      const entries = batchResponse(t, sent, res);
      t.expectEvery(entries, (e) => [200, 201].includes(statusOf(e)), 'every entry of the valid batch was stored (200 or 201)', { requirement: 'SANER-SD-PG-003' });
      const reportId = t.require(idIn(entries[0], 'MeasureReport'), 'the first response entry names the stored MeasureReport (location)', { requirement: 'SANER-SD-CON-001' });
      const stored = await readBack(t, reportId, 'SANER-PG-CON-003');
      if (!stored) return t.manual(`the SUT offers no MeasureReport read: a person confirms MeasureReport/${reportId} and its two evaluated resources are stored`);
      t.expectEqual(stored.evaluatedResource?.length, 2, 'the stored report keeps its two evaluatedResource references', { requirement: 'SANER-SD-PG-003' });
      await validateReturned(t, stored, 'SANER-SD-CON-001');
      const patientId = idIn(entries[1], 'Patient');
      if (patientId && declares(t.fixture.capabilities, 'Patient', 'read')) {
        const patient = await t.sut.read('Patient', patientId);
        t.expectStatus(patient, 200, { requirement: 'SANER-SD-PG-003' });
      } else t.note('the SUT offers no Patient read; the supplemental Patient is judged by its response entry only');
    },
  }),
  test<ConsumerData>('a batch whose report references a resource it does not carry has the report refused', {
    requirements: ['SANER-SD-CON-001', 'SANER-SD-PG-001', 'SANER-SD-PG-003'],
    preconditions: SD_ONLY,
    negativeControl: 'supplemental-accept-missing-reference',
    description: 'evaluatedResource names Condition/push-absent, which is not in the batch: the report entry is refused (4xx) while the other entries are processed on their own.',
    async run(t) {
      const { sent, res } = await postBatch(t, 'bundle-invalid-supplemental-missing-reference.json');
      const entries = batchResponse(t, sent, res);
      const status = statusOf(entries[0]);
      t.expect(status >= 400 && status < 500, `the MeasureReport entry answered ${entries[0]?.response?.status}, expected a refusal`, { requirement: 'SANER-SD-CON-001' });
      t.expectEvery(entries.slice(1), (e) => [200, 201].includes(statusOf(e)), 'the carried resources were still processed on their own', { requirement: 'SANER-SD-PG-003' });
    },
  }),
  test<ConsumerData>('the Supplemental Data Consumer declares batch and the Push interactions', {
    requirements: ['SANER-SD-PG-004', 'SANER-PG-CON-004', 'SANER-SD-CON-001'],
    preconditions: SD_ONLY,
    negativeControl: 'no-metadata',
    async run(t) {
      const res = await t.sut.capabilities();
      t.require(res.status === 200, `GET [base]/metadata answered ${res.status}`);
      const cs = res.resource<CapabilityStatement>();
      const server = (cs.rest ?? []).filter((r) => r.mode === 'server');
      t.expect(server.some((r) => r.interaction?.some((i) => i.code === 'batch')), 'the CapabilityStatement declares the batch interaction', { requirement: 'SANER-SD-CON-001' });
      const push = declares(cs, 'MeasureReport', 'create') && declares(cs, 'MeasureReport', 'update');
      t.expect(push, 'it declares MeasureReport create and update: the Push Option Supplemental Data depends on', { requirement: 'SANER-SD-PG-004' });
    },
  }),
];
