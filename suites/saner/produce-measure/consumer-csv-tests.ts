/**
 * The CSV Option with Push: `POST [base]/Measure/[id]/$report-csv` (SANER OperationDefinition
 * Measure-report-csv, CSV.md §5) creates reports, updates those with the same subject, reporter and
 * period, reads renamed columns through `map`, and refuses a bad cell naming its row and column.
 */
import type { Binary, Bundle, Measure, Parameters, ParametersParameter } from 'fhir/r4.js';
import { statusText } from '../../../src/engine/index.js';
import { runTagOf, test, type CheckOptions, type FhirResponse } from '../../../src/engine/index.js';
import { aResource, countOf, declares, expectRejected, pushText, readBack, validateReturned, type ConsumerData, type ConsumerTest } from './consumer-data.js';

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
    parameter: [{ name: 'input', resource: input }, { name: 'period-start', valueString: `${day}T00:00:00-04:00` }, { name: 'period-end', valueString: `${day}T23:59:59-04:00` }, ...extra],
  };
}

async function reportCsv(t: ConsumerTest, parameters: Parameters): Promise<FhirResponse> {
  return t.sut.operation('report-csv', { type: 'Measure', id: theMeasure(t).id, parameters });
}

/**
 * The report ids a $report-csv answer lists: the Bundle's type is left open by the IG (CSV.md A26),
 * so response locations and entry resources both count. Whether the operation answered decides
 * every requirement the test cites about it: a 404 fails them all.
 */
function reportIds(t: ConsumerTest, res: FhirResponse, options: CheckOptions = { requirement: t.requirements }): string[] {
  const answered = `${res.exchange.method} ${res.exchange.url} answered ${statusText(res.status)}`;
  t.require(res.status === 200, res.status === 200 ? answered : `${answered}; expected 200 OK with the Bundle of the reports`, options);
  const parsed = res.tryResource<Bundle>();
  if (!parsed.ok) return t.require(undefined, parsed.error, options);
  const bundle = parsed.resource;
  t.require(bundle.resourceType === 'Bundle', `$report-csv returned ${aResource(bundle.resourceType)}${bundle.resourceType === 'Bundle' ? '' : '; expected the Bundle of its reports'}`, options);
  const ids = (bundle.entry ?? []).flatMap((e) => {
    const fromLocation = /(?:^|\/)MeasureReport\/([^/]+)/.exec(e.response?.location ?? '')?.[1];
    const fromResource = e.resource?.resourceType === 'MeasureReport' ? e.resource.id : undefined;
    return fromLocation ?? fromResource ?? [];
  });
  t.require(ids.length > 0, `the returned Bundle lists ${ids.length} MeasureReports${ids.length ? '' : '; expected the reports the CSV made'}`, options);
  return ids;
}

/**
 * The Measures the SUT holds of its own: every one it serves (search, else the one setup found),
 * less any a measure-conformance run wrote (they carry the run tag). A search that fails skips the
 * test; the content of what it could not list cannot be judged.
 */
async function ownMeasures(t: ConsumerTest): Promise<Measure[]> {
  let served: Measure[];
  if (declares(t.fixture.capabilities, 'Measure', 'search-type')) {
    const res = await t.sut.search('Measure', { _count: 100 });
    const parsed = res.tryResource<Bundle>();
    if (res.status !== 200 || !parsed.ok || parsed.resource.resourceType !== 'Bundle')
      return t.skip(`GET [base]/Measure answered ${statusText(res.status)}, so the Measures the SUT serves cannot be listed`);
    served = (parsed.resource.entry ?? []).map((e) => e.resource).filter((r): r is Measure => r?.resourceType === 'Measure');
  } else served = t.fixture.measure ? [t.fixture.measure] : [];
  const written = served.filter((m) => runTagOf(m) !== undefined);
  if (written.length) t.note(`not judged, written by a measure-conformance run: ${written.map((m) => `Measure/${m.id}`).join(', ')}`);
  const own = served.filter((m) => runTagOf(m) === undefined);
  return own.length ? own : t.skip('the SUT serves no Measure of its own, so there is no Measure content to judge');
}

export const csvTests = [
  test<ConsumerData>('$report-csv creates the reports of a CSV, and a second CSV for the same subject, reporter and period updates them', {
    requirements: ['SANER-CSVPUSH-CON-002', 'SANER-PM-PG-005', 'SANER-OP-REPORTCSV-001', 'SANER-OP-REPORTCSV-003', 'SANER-OP-REPORTCSV-004', 'SANER-OP-REPORTCSV-007'],
    preconditions: CSV_ONLY,
    negativeControl: 'update-creates-duplicate',
    async run(t) {
      const first = reportIds(t, await reportCsv(t, csvParameters('beds-2020-06-01.csv', '2020-06-01')));
      const second = reportIds(t, await reportCsv(t, csvParameters('beds-2020-06-01-revised.csv', '2020-06-01')));
      const updates = ['SANER-OP-REPORTCSV-007', 'SANER-CSVPUSH-CON-002'];
      const same = second.join() === first.join();
      t.expect(same, `the revised CSV answered reports ${second.join(', ')}, the first CSV ${first.join(', ')}${same ? ': it updated them, adding none' : '; expected the same reports, updated'}`, {
        requirement: updates,
      });
      const stored = await readBack(t, first[0]!, { requirement: updates });
      if (!stored) return t.manual('the SUT offers no MeasureReport read: a person confirms that the report for 0008103 on 2020-06-01 shows numTotBedsOcc 201');
      const shown = countOf(stored, 'numTotBedsOcc');
      t.expect(shown === 201, `MeasureReport/${first[0]} holds numTotBedsOcc ${shown ?? '(none)'}${shown === 201 ? ', the revised value' : '; expected 201, the revised value'}`, {
        requirement: updates,
      });
      const start = stored.period?.start?.slice(0, 10);
      t.expect(
        start === '2020-06-01',
        `the report's period starts ${stored.period?.start ?? '(none)'}${start === '2020-06-01' ? ', as period-start gave' : '; expected 2020-06-01, as period-start gave'}`,
        { requirement: 'SANER-OP-REPORTCSV-004' },
      );
      const end = stored.period?.end?.slice(0, 10);
      t.expect(end === '2020-06-01', `the report's period ends ${stored.period?.end ?? '(none)'}${end === '2020-06-01' ? ', as period-end gave' : '; expected 2020-06-01, as period-end gave'}`, {
        requirement: 'SANER-OP-REPORTCSV-003',
      });
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
      const [id] = reportIds(t, await reportCsv(t, params));
      const stored = await readBack(t, id!, { requirement: t.requirements });
      if (!stored) return t.manual(`the SUT offers no MeasureReport read: a person confirms that MeasureReport/${id} shows numTotBeds 280 for subject 0008103, reporter 1922043702`);
      const beds = countOf(stored, 'numTotBeds');
      t.expect(
        beds === 280,
        `MeasureReport/${id} holds numTotBeds ${beds ?? '(none)'}${beds === 280 ? ', read from the TotalBeds column' : '; expected 280, the TotalBeds column mapped to numTotBeds'}`,
        { requirement: 'SANER-OP-REPORTCSV-002' },
      );
      const subject = stored.subject?.identifier?.value;
      t.expect(subject === '0008103', `its subject identifier is ${subject ?? '(none)'}${subject === '0008103' ? ', from the subject parameter' : '; expected 0008103, from the subject parameter'}`, {
        requirement: 'SANER-OP-REPORTCSV-006',
      });
      const reporter = stored.reporter?.identifier?.value;
      t.expect(
        reporter === '1922043702',
        `its reporter identifier is ${reporter ?? '(none)'}${reporter === '1922043702' ? ', from the reporter parameter' : '; expected 1922043702, from the reporter parameter'}`,
        { requirement: 'SANER-OP-REPORTCSV-005' },
      );
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
      if (outcome) {
        const named = /row 3\b/.test(text) && text.includes('numTotBedsOcc');
        t.expect(named, `the OperationOutcome says: ${text.trim().slice(0, 200) || '(nothing)'}${named ? '' : '; expected it to name row 3 and column numTotBedsOcc'}`, {
          requirement: 'SANER-CSVPUSH-CON-002',
        });
      }
      const noEnd = csvParameters('beds-2020-06-01.csv', '2020-06-01');
      noEnd.parameter = noEnd.parameter?.filter((p) => p.name !== 'period-end');
      expectRejected(t, await reportCsv(t, noEnd), '$report-csv without period-end', { status: [400], refused: 'SANER-OP-REPORTCSV-003', code: 'SANER-OP-REPORTCSV-003' });
    },
  }),
  test<ConsumerData>('every Measure the Consumer serves conforms to PublicHealthMeasure', {
    requirements: 'SANER-CSVPUSH-CON-001',
    preconditions: CSV_ONLY,
    negativeControl: 'invalid-measure',
    description: "The SUT's own Measures: every one it serves, less those a measure-conformance run wrote (tagged with the run).",
    async run(t) {
      for (const measure of await ownMeasures(t)) await validateReturned(t, measure, 'SANER-CSVPUSH-CON-001');
    },
  }),
];
