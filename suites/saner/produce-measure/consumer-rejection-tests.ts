/**
 * What a Measure Consumer does with pushes it must not take: one fixture per rule
 * (fixtures/saner/push/*invalid*), each refused with the code FHIR names and an OperationOutcome,
 * and nothing of it stored.
 */
import type { MeasureReport } from 'fhir/r4.js';
import { statusText } from '../../../src/engine/index.js';
import { test, type WireFormat } from '../../../src/engine/index.js';
import { countOf, expectRejected, listedFormats, newReport, pushFixture, pushText, readBack, withCount, writtenId, type ConsumerData, type ConsumerTest } from './consumer-data.js';

const MEDIA: Record<WireFormat, string> = { json: 'application/fhir+json', xml: 'application/fhir+xml' };

/**
 * A report the SUT holds, created for the test; its id and what it holds. A create that fails
 * leaves nothing to work on, and the test is skipped (the create test judges the create).
 */
async function createdReport(t: ConsumerTest): Promise<MeasureReport & { id: string }> {
  const res = await t.sut.create(newReport());
  const id = writtenId(res);
  if (![200, 201, 204].includes(res.status) || !id)
    return t.skip(`creating the report to work on answered ${statusText(res.status)}${id ? '' : ' naming no report'}, so there is nothing to update (the create test judges that)`);
  return { ...newReport(), id };
}

export const rejectionTests = [
  test<ConsumerData>('a body that does not parse is refused with 400 and an OperationOutcome (JSON and XML)', {
    requirements: ['FHIR-HTTP-010', 'FHIR-HTTP-004'],
    negativeControl: 'operation-outcome-missing',
    async run(t) {
      const files: Record<WireFormat, string> = { json: 'measurereport-invalid-broken.json', xml: 'measurereport-invalid-broken.xml' };
      for (const format of listedFormats(t)) {
        const file = files[format];
        const res = await t.sut.request('POST', 'MeasureReport', { body: pushText(file), headers: { 'content-type': MEDIA[format], accept: MEDIA[format] } });
        expectRejected(t, res, `POST of broken ${format.toUpperCase()} (${file})`, { status: [400], refused: 'FHIR-HTTP-010', code: 'FHIR-HTTP-010' });
      }
    },
  }),
  test<ConsumerData>('a report sent as text/plain is refused with 415', {
    requirements: ['FHIR-FMT-006', 'FHIR-HTTP-004'],
    negativeControl: 'accept-wrong-media-type',
    async run(t) {
      const res = await t.sut.request('POST', 'MeasureReport', { body: JSON.stringify(newReport()), headers: { 'content-type': 'text/plain', accept: MEDIA.json } });
      expectRejected(t, res, 'POST of a JSON MeasureReport labelled text/plain', { status: [415], refused: 'FHIR-FMT-006', code: 'FHIR-FMT-006' });
    },
  }),
  test<ConsumerData>('reports missing a required element or with a wrongly typed value are refused with 400', {
    requirements: ['SANER-PM-CON-001', 'FHIR-HTTP-010', 'FHIR-HTTP-004'],
    negativeControl: 'accept-invalid',
    description:
      'Base R4 rules (MeasureReport.status 1..1; population.count an integer). R4 names 400 for a resource failing basic validation; 422 is tolerated as a refusal but reported under FHIR-HTTP-010.',
    async run(t) {
      for (const file of ['measurereport-invalid-missing-status.json', 'measurereport-invalid-wrong-type.json']) {
        // Sent as the fixture's own text: a FHIR serializer could not write the wrongly typed count.
        const res = await t.sut.request('POST', 'MeasureReport', { body: pushText(file), headers: { 'content-type': MEDIA.json, accept: MEDIA.json } });
        expectRejected(t, res, `POST ${file}`, { status: [400], refused: ['SANER-PM-CON-001', 'FHIR-HTTP-010'], code: 'FHIR-HTTP-010' });
      }
      if (!listedFormats(t).includes('xml')) return;
      const { id: _id, ...noStatus } = pushFixture<MeasureReport>('measurereport-invalid-missing-status.json');
      const xml = await t.sut.create(noStatus as MeasureReport, { format: 'xml' });
      expectRejected(t, xml, 'POST measurereport-invalid-missing-status.json in XML', { status: [400], refused: ['SANER-PM-CON-001', 'FHIR-HTTP-010'], code: 'FHIR-HTTP-010' });
    },
  }),
  test<ConsumerData>('a SANER profile violation is refused with 422 naming the element', {
    requirements: ['SANER-PM-CON-001', 'FHIR-HTTP-013', 'FHIR-HTTP-004'],
    negativeControl: 'skip-profile-validation',
    description: 'MeasureReport.date without a time breaks PublicHealthMeasureReport (dates precise to the second with a time zone).',
    async run(t) {
      const { id: _id, ...body } = pushFixture<MeasureReport>('measurereport-invalid-profile-date.json');
      for (const format of listedFormats(t)) {
        const res = await t.sut.create(body as MeasureReport, { format });
        const outcome = expectRejected(t, res, `POST measurereport-invalid-profile-date.json in ${format.toUpperCase()}`, {
          status: [422],
          refused: ['SANER-PM-CON-001', 'FHIR-HTTP-013'],
          code: 'FHIR-HTTP-013',
        });
        if (!outcome) continue;
        const named = outcome.issue.some((i) => (i.expression ?? []).some((e) => /(^|\.)date$/.test(e)) || /MeasureReport\.date/.test(i.diagnostics ?? ''));
        t.expect(named, named ? 'the OperationOutcome names MeasureReport.date' : 'the OperationOutcome does not name MeasureReport.date; expected it in issue.expression or the diagnostics', {
          requirement: 'FHIR-HTTP-013',
        });
      }
    },
  }),
  test<ConsumerData>('an update whose body id differs from the URL, or has none, is refused with 400', {
    requirements: ['FHIR-HTTP-009', 'FHIR-HTTP-004'],
    negativeControl: 'update-id-from-url',
    async run(t) {
      const stored = await createdReport(t);
      const other = await t.sut.request('PUT', `MeasureReport/${stored.id}`, {
        body: JSON.stringify({ ...withCount(stored, 'numTotBedsOcc', 1), id: `${stored.id}-other` }),
        headers: { 'content-type': MEDIA.json, accept: MEDIA.json },
      });
      expectRejected(t, other, `PUT MeasureReport/${stored.id} with body id ${stored.id}-other`, { status: [400], refused: 'FHIR-HTTP-009', code: 'FHIR-HTTP-009' });
      const { id: _id, ...noId } = withCount(stored, 'numTotBedsOcc', 2);
      const missing = await t.sut.request('PUT', `MeasureReport/${stored.id}`, { body: JSON.stringify(noId), headers: { 'content-type': MEDIA.json, accept: MEDIA.json } });
      expectRejected(t, missing, `PUT MeasureReport/${stored.id} with a body without id`, { status: [400], refused: 'FHIR-HTTP-009', code: 'FHIR-HTTP-009' });
      const after = await readBack(t, stored.id, { requirement: 'FHIR-HTTP-009' });
      const kept = after && countOf(after, 'numTotBedsOcc') === countOf(stored, 'numTotBedsOcc');
      if (after)
        t.expect(
          kept,
          `MeasureReport/${stored.id} shows numTotBedsOcc ${countOf(after, 'numTotBedsOcc') ?? '(none)'} after the refused updates${kept ? ', as before them' : `; expected ${countOf(stored, 'numTotBedsOcc')}, as before them`}`,
          { requirement: 'FHIR-HTTP-009' },
        );
    },
  }),
  test<ConsumerData>('an update with a stale If-Match is refused with 412 and changes nothing', {
    requirements: ['FHIR-HTTP-012', 'FHIR-HTTP-004'],
    negativeControl: 'ignore-if-match',
    async run(t) {
      const stored = await createdReport(t);
      const first = await t.sut.update(withCount(stored, 'numTotBedsOcc', 200));
      if (![200, 201, 204].includes(first.status))
        return t.skip(`the first update of MeasureReport/${stored.id} answered ${statusText(first.status)}, so there is no newer version for a stale If-Match (the update test judges updates)`);
      const stale = await t.sut.update(withCount(stored, 'numTotBedsOcc', 100), { headers: { 'if-match': 'W/"1"' } });
      expectRejected(t, stale, `PUT MeasureReport/${stored.id} with If-Match W/"1" after version 2`, { status: [412, 409], refused: 'FHIR-HTTP-012', code: 'FHIR-HTTP-012' });
      const after = await readBack(t, stored.id, { requirement: 'FHIR-HTTP-012' });
      const shown = after ? countOf(after, 'numTotBedsOcc') : undefined;
      if (after)
        t.expect(
          shown === 200,
          `MeasureReport/${stored.id} shows numTotBedsOcc ${shown ?? '(none)'}${shown === 200 ? ', the value of the accepted update' : '; expected 200, the value of the accepted update'}`,
          { requirement: 'FHIR-HTTP-012' },
        );
    },
  }),
];
