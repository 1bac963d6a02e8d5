/**
 * The CSV Option with Push: `POST [base]/Measure/[id]/$report-csv` (SANER OperationDefinition
 * Measure-report-csv, CSV.md §5) creates reports, updates those with the same subject, reporter and
 * period, reads renamed columns through `map`, and refuses a bad cell naming its row and column.
 */
import type { Binary, Bundle, Measure, Parameters, ParametersParameter } from 'fhir/r4.js';
import { test, type FhirResponse } from '../../../src/engine/index.js';
import { countOf, expectRejected, pushText, readBack, validateReturned, type ConsumerData, type ConsumerTest } from './consumer-data.js';

const CSV_ONLY = { options: ['CSV'] };

function theMeasure(t: ConsumerTest): Measure & { id: string } {
  const measure = t.fixture.measure ?? t.skip(t.fixture.missingMeasure ?? 'setup found no Measure to report CSV against');
  return { ...measure, id: measure.id ?? t.skip('the Measure the SUT holds has no id') };
}

/** The operation's Parameters: the CSV as the `input` Binary, the period of the fixture's rows, and any others. */
function csvParameters(file: string, day: string, extra: ParametersParameter[] = []): Parameters {
  const input: Binary = { resourceType: 'Binary', contentType: 'text/csv', data: Buffer.from(pushText(file)).toString('base64') };
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'input', resource: input },
      { name: 'period-start', valueString: `${day}T00:00:00-04:00` },
      { name: 'period-end', valueString: `${day}T23:59:59-04:00` },
      ...extra,
    ],
  };
}

async function reportCsv(t: ConsumerTest, parameters: Parameters): Promise<FhirResponse> {
  return t.sut.operation('report-csv', { type: 'Measure', id: theMeasure(t).id, parameters });
}

/**
 * The report ids a $report-csv answer lists: the Bundle's type is left open by the IG (CSV.md A26),
 * so response locations and entry resources both count.
 */
function reportIds(t: ConsumerTest, res: FhirResponse, requirement: string): string[] {
  t.require(res.status === 200, `$report-csv answered ${res.status}`, { requirement });
  const bundle = res.resource<Bundle>();
  t.require(bundle.resourceType === 'Bundle', `$report-csv returned a ${bundle.resourceType}, expected the Bundle of its reports`, { requirement });
  const ids = (bundle.entry ?? []).flatMap((e) => {
    const fromLocation = /(?:^|\/)MeasureReport\/([^/]+)/.exec(e.response?.location ?? '')?.[1];
    const fromResource = e.resource?.resourceType === 'MeasureReport' ? e.resource.id : undefined;
    return fromLocation ?? fromResource ?? [];
  });
  t.require(ids.length > 0, `the returned Bundle lists ${ids.length} MeasureReports`, { requirement });
  return ids;
}

export const csvTests = [
  test<ConsumerData>('$report-csv creates the reports of a CSV, and a second CSV for the same subject, reporter and period updates them', {
    requirements: ['SANER-CSVPUSH-CON-002', 'SANER-PM-PG-005', 'SANER-OP-REPORTCSV-001', 'SANER-OP-REPORTCSV-003', 'SANER-OP-REPORTCSV-004', 'SANER-OP-REPORTCSV-007'],
    preconditions: CSV_ONLY,
    negativeControl: 'update-creates-duplicate',
    async run(t) {
      const first = reportIds(t, await reportCsv(t, csvParameters('beds-2020-06-01.csv', '2020-06-01')), 'SANER-OP-REPORTCSV-007');
      const second = reportIds(t, await reportCsv(t, csvParameters('beds-2020-06-01-revised.csv', '2020-06-01')), 'SANER-OP-REPORTCSV-007');
      t.expectEqual(second, first, 'the revised CSV updated the reports the first one created (same ids), adding none', { requirement: 'SANER-OP-REPORTCSV-007' });
      const stored = await readBack(t, first[0]!, 'SANER-OP-REPORTCSV-007');
      if (!stored) return t.manual('the SUT offers no MeasureReport read: a person confirms that the report for 0008103 on 2020-06-01 shows numTotBedsOcc 201');
      t.expectEqual(countOf(stored, 'numTotBedsOcc'), 201, `MeasureReport/${first[0]} holds the revised numTotBedsOcc`, { requirement: 'SANER-OP-REPORTCSV-007' });
      t.expectEqual(stored.period?.start?.slice(0, 10), '2020-06-01', 'the report covers the period the CSV gave', { requirement: 'SANER-OP-REPORTCSV-004' });
    },
  }),
  test<ConsumerData>('$report-csv reads renamed columns through map and takes subject and reporter as parameters', {
    requirements: ['SANER-OP-REPORTCSV-002', 'SANER-OP-REPORTCSV-005', 'SANER-OP-REPORTCSV-006'],
    preconditions: CSV_ONLY,
    negativeControl: 'report-csv-ignore-map',
    description: 'The CSV names numTotBeds "TotalBeds" and has no subject or reporter column; map, subject and reporter (as system|value identifiers) fill them in.',
    async run(t) {
      const params = csvParameters('beds-2020-06-02-mapped.csv', '2020-06-02', [
        { name: 'map', valueString: 'numTotBeds$TotalBeds,numTotBedsOcc,numTotBedsAvail,numC19HospPats' },
        { name: 'subject', valueString: 'https://hifld-geoplatform.opendata.arcgis.com/datasets/hospitals|0008103' },
        { name: 'reporter', valueString: 'http://hl7.org/fhir/sid/us-npi|1922043702' },
      ]);
      const [id] = reportIds(t, await reportCsv(t, params), 'SANER-OP-REPORTCSV-002');
      const stored = await readBack(t, id!, 'SANER-OP-REPORTCSV-002');
      if (!stored) return t.manual(`the SUT offers no MeasureReport read: a person confirms that MeasureReport/${id} shows numTotBeds 280 for subject 0008103, reporter 1922043702`);
      t.expectEqual(countOf(stored, 'numTotBeds'), 280, 'the TotalBeds column was read as numTotBeds', { requirement: 'SANER-OP-REPORTCSV-002' });
      t.expectEqual(stored.subject?.identifier?.value, '0008103', 'the subject parameter gave the report its subject', { requirement: 'SANER-OP-REPORTCSV-006' });
      t.expectEqual(stored.reporter?.identifier?.value, '1922043702', 'the reporter parameter gave the report its reporter', { requirement: 'SANER-OP-REPORTCSV-005' });
    },
  }),
  test<ConsumerData>('$report-csv refuses a bad cell with 400 naming its row and column, and a call without period-end', {
    requirements: ['SANER-CSVPUSH-CON-002', 'SANER-OP-REPORTCSV-003', 'FHIR-HTTP-004'],
    preconditions: CSV_ONLY,
    negativeControl: 'report-csv-wrong-row-errors',
    description: 'The third line of the CSV (data row 2) has "sixty" where a count belongs.',
    async run(t) {
      const bad = await reportCsv(t, csvParameters('beds-invalid-cell.csv', '2020-06-03'));
      const outcome = expectRejected(t, bad, '$report-csv with a non-numeric count', { status: [400], refused: 'SANER-CSVPUSH-CON-002', code: 'SANER-CSVPUSH-CON-002' });
      const text = (outcome?.issue ?? []).map((i) => `${i.diagnostics ?? ''} ${(i.expression ?? []).join(' ')} ${i.details?.text ?? ''}`).join('\n');
      t.expect(/row 3\b/.test(text) && text.includes('numTotBedsOcc'), `the OperationOutcome names row 3 and column numTotBedsOcc: ${text.slice(0, 200)}`, { requirement: 'SANER-CSVPUSH-CON-002' });
      const noEnd = csvParameters('beds-2020-06-01.csv', '2020-06-01');
      noEnd.parameter = noEnd.parameter?.filter((p) => p.name !== 'period-end');
      expectRejected(t, await reportCsv(t, noEnd), '$report-csv without period-end', { status: [400], refused: 'SANER-OP-REPORTCSV-003', code: 'SANER-OP-REPORTCSV-003' });
    },
  }),
  test<ConsumerData>('the Measure reported against conforms to PublicHealthMeasure', {
    requirements: 'SANER-CSVPUSH-CON-001',
    preconditions: CSV_ONLY,
    negativeControl: 'invalid-measure',
    async run(t) {
      const measure = theMeasure(t);
      const res = await t.sut.read('Measure', measure.id);
      t.require(res.status === 200, `GET Measure/${measure.id} answered ${res.status}`);
      await validateReturned(t, res.resource<Measure>(), 'SANER-CSVPUSH-CON-001');
    },
  }),
];
