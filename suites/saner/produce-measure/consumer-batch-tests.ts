/**
 * The Supplemental Data Option: a `batch` Bundle POSTed to [base], the MeasureReport first and the
 * resources its evaluatedResource names after it (digest §7 D5), answered with a batch-response of
 * one entry per request entry and stored entry by entry.
 */
import type { Bundle, BundleEntry, CapabilityStatement } from 'fhir/r4.js';
import { freshId, statusText } from '../../../src/engine/index.js';
import { test, type FhirResponse } from '../../../src/engine/index.js';
import { aResource, declares, pushFixture, readBack, type ConsumerData, type ConsumerTest } from './consumer-data.js';

const SD_ONLY = { options: ['SupplementalData'] };

async function postBatch(t: ConsumerTest, file: string): Promise<{ sent: Bundle; res: FhirResponse }> {
  const sent = withFreshIds(pushFixture<Bundle>(file));
  return { sent, res: await t.sut.postBundle(sent) };
}

/** The batch with each id it chooses itself (a PUT entry's) made fresh, and every reference to it following. */
function withFreshIds(bundle: Bundle): Bundle {
  const renamed = new Map<string, string>();
  for (const e of bundle.entry ?? []) {
    if (e.request?.method === 'PUT' && e.resource?.id) renamed.set(`${e.resource.resourceType}/${e.resource.id}`, `${e.resource.resourceType}/${freshId(e.resource.id)}`);
  }
  const follow = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(follow);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, (k === 'reference' || k === 'url') && typeof v === 'string' ? (renamed.get(v) ?? v) : follow(v)]));
  };
  const entry = (bundle.entry ?? []).map((e) => {
    const to = e.resource?.id ? renamed.get(`${e.resource.resourceType}/${e.resource.id}`) : undefined;
    const moved = follow(e) as BundleEntry;
    return to ? { ...moved, resource: { ...moved.resource!, id: to.split('/')[1]! } } : moved;
  });
  return { ...bundle, entry };
}

/**
 * The batch-response, after checking it has one entry per request entry. Whether the batch was
 * answered at all decides every requirement the test cites; its shape decides SANER-SD-PG-001.
 */
function batchResponse(t: ConsumerTest, sent: Bundle, res: FhirResponse): BundleEntry[] {
  const answered = `POST [base] with a batch answered ${statusText(res.status)}`;
  t.require(res.status === 200, res.status === 200 ? answered : `${answered}; expected 200 OK with a batch-response`, { requirement: t.requirements });
  const parsed = res.tryResource<Bundle>();
  if (!parsed.ok) return t.require(undefined, parsed.error, { requirement: t.requirements });
  const answer = parsed.resource;
  const shape = { requirement: 'SANER-SD-PG-001' };
  const isResponse = answer.resourceType === 'Bundle' && answer.type === 'batch-response';
  t.require(
    isResponse,
    `the answer is ${answer.resourceType === 'Bundle' ? `a ${answer.type ?? 'typeless'} Bundle` : aResource(answer.resourceType)}${isResponse ? '' : '; expected a batch-response Bundle'}`,
    shape,
  );
  const entries = answer.entry ?? [];
  const expected = (sent.entry ?? []).length;
  t.require(
    entries.length === expected,
    `the batch-response has ${entries.length} entries for ${expected} request entries${entries.length === expected ? '' : '; expected one per request entry'}`,
    shape,
  );
  t.expectEvery(entries, (e) => /^\d{3}\b/.test(e.response?.status ?? ''), 'every response entry carries its HTTP status', { ...shape, show: (_e, i) => `entry ${i}` });
  return entries;
}

const statusOf = (e: BundleEntry | undefined): number => Number((e?.response?.status ?? '').slice(0, 3));
const stored = (e: BundleEntry) => [200, 201].includes(statusOf(e));
const entryStatus = (e: BundleEntry, i: number) => `entry ${i} answered ${e.response?.status ?? '(no status)'}`;

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
      const storage = { requirement: ['SANER-SD-PG-003', 'SANER-PG-CON-003'] };
      t.expectEvery(entries, stored, 'every entry of the valid batch was stored (200 or 201)', { ...storage, show: entryStatus });
      const reportId = idIn(entries[0], 'MeasureReport');
      t.require(
        reportId,
        reportId
          ? `the first response entry names MeasureReport/${reportId}`
          : `the first response entry (${entries[0]?.response?.status ?? 'no status'}) names no MeasureReport; expected its location`,
        { requirement: ['SANER-SD-CON-001', 'SANER-PG-CON-003'] },
      );
      const report = await readBack(t, reportId!, storage);
      if (!report) return t.manual(`the SUT offers no MeasureReport read: a person confirms MeasureReport/${reportId} and its two evaluated resources are stored`);
      const kept = report.evaluatedResource?.length ?? 0;
      t.expect(kept === 2, `the stored report keeps ${kept} evaluatedResource references${kept === 2 ? '' : '; expected the 2 it was sent with'}`, storage);
      const patientId = idIn(entries[1], 'Patient');
      if (patientId && declares(t.fixture.capabilities, 'Patient', 'read')) {
        t.expectStatus(await t.sut.read('Patient', patientId), 200, storage);
      } else t.note('the SUT offers no Patient read; the supplemental Patient is judged by its response entry only');
    },
  }),
  test<ConsumerData>('a batch whose report references a resource it does not carry is still processed entry by entry', {
    requirements: ['SANER-SD-PG-001', 'SANER-SD-PG-003'],
    preconditions: SD_ONLY,
    negativeControl: 'batch-refuses-valid-entry',
    description:
      'evaluatedResource names Condition/push-absent, which is not in the batch. SANER actors.md: the Consumer stores the resources "following normal batch processing rules", each entry on its own; SANER states no rule about references outside the batch, so the report entry may be stored or refused, while the valid entries beside it must be processed.',
    async run(t) {
      const { sent, res } = await postBatch(t, 'bundle-invalid-supplemental-missing-reference.json');
      const entries = batchResponse(t, sent, res);
      t.expectEvery(entries.slice(1), stored, 'the valid entries beside the report were processed on their own (200 or 201)', {
        requirement: 'SANER-SD-PG-003',
        show: (e, i) => entryStatus(e, i + 1),
      });
      t.note(`the report entry answered ${entries[0]?.response?.status ?? '(no status)'}: storing or refusing it are both batch processing (SANER states no rule about references outside the batch)`);
    },
  }),
  test<ConsumerData>('the Supplemental Data Consumer declares batch and the Push interactions', {
    requirements: ['SANER-SD-PG-004', 'SANER-PG-CON-004', 'SANER-SD-CON-001'],
    preconditions: SD_ONLY,
    negativeControl: 'no-metadata',
    async run(t) {
      const res = await t.sut.capabilities();
      const answered = `GET [base]/metadata answered ${statusText(res.status)}`;
      t.require(res.status === 200, res.status === 200 ? answered : `${answered}; expected 200 OK with a CapabilityStatement`, { requirement: t.requirements });
      const parsed = res.tryResource<CapabilityStatement>();
      if (!parsed.ok) return t.require(undefined, parsed.error, { requirement: t.requirements });
      const server = (parsed.resource.rest ?? []).filter((r) => r.mode === 'server');
      const batch = server.some((r) => r.interaction?.some((i) => i.code === 'batch'));
      t.expect(batch, `the CapabilityStatement ${batch ? 'declares' : 'does not declare'} the batch interaction${batch ? '' : '; expected it'}`, { requirement: 'SANER-SD-CON-001' });
      const push = declares(parsed.resource, 'MeasureReport', 'create') && declares(parsed.resource, 'MeasureReport', 'update');
      t.expect(
        push,
        `it ${push ? 'declares' : 'does not declare'} MeasureReport create and update${push ? ': the Push Option Supplemental Data depends on' : '; expected both: Supplemental Data depends on the Push Option'}`,
        { requirement: ['SANER-SD-PG-004', 'SANER-PG-CON-004'] },
      );
    },
  }),
];
