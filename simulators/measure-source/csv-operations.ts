/**
 * The CSV Option of Query Measure on the server side (CSV.md §5): `$read-csv` on a MeasureReport
 * instance and `$search-csv` on the type, both answering text/csv, or a Binary when the client
 * asks for a FHIR format.
 */
import type { Binary, Measure, MeasureReport, Parameters } from 'fhir/r4.js';
import { measureReportsToCsvString } from '../../src/csv/index.js';
import { FhirError } from '../../src/fhir/errors.js';
import { formatFromAccept } from '../../src/fhir/negotiation.js';
import type { OperationDeclaration, OperationRequest, OperationResult } from '../../src/fhir/server/index.js';
import type { MeasureSourceFault } from './faults.js';
import type { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { READ_CSV_OPERATION, SEARCH_CSV_OPERATION } from '../../ig/saner/canonicals.js';

const CSV = 'text/csv';
/** Largest page the store serves; $search-csv walks the pages of this size. */
const PAGE = 1000;

function values(params: Parameters, name: string): string[] {
  return (params.parameter ?? []).filter((p) => p.name === name && typeof p.valueString === 'string').map((p) => p.valueString as string);
}

/** CSV unless the client asked for FHIR (`_format`, or an Accept naming a FHIR type and not text/csv). */
function wantsCsv(request: OperationRequest<MeasureSourceFault>): boolean {
  if (request.query.some(([name]) => name === '_format')) return false;
  const accept = request.headers['accept']?.trim();
  if (!accept || accept.toLowerCase().includes(CSV)) return true;
  return formatFromAccept(accept) === undefined || /^\*\/\*(;|$)/.test(accept);
}

function answer(request: OperationRequest<MeasureSourceFault>, csv: string): OperationResult {
  if (request.faults.has('read-csv-as-json') && request.level === 'instance' && request.resource) {
    return { kind: 'resource', resource: request.resource };
  }
  if (wantsCsv(request)) return { kind: 'content', body: csv, contentType: `${CSV}; charset=utf-8` };
  const binary: Binary = { resourceType: 'Binary', contentType: CSV, ...(request.faults.has('csv-binary-without-data') ? {} : { data: Buffer.from(csv, 'utf8').toString('base64') }) };
  return { kind: 'resource', resource: binary };
}

function measureFor(store: ResourceStore, canonical: string, baseUrl: string): Measure {
  const url = canonical.split('|')[0] ?? canonical;
  const found = store.search('Measure', [['url', url]], { baseUrl, strict: true }).entry?.find((e) => e.resource?.resourceType === 'Measure');
  if (!found?.resource) throw FhirError.of(400, 'not-found', `Measure ${url} is not held by this server, so the CSV columns cannot be derived from it`, 'measure');
  return found.resource as Measure;
}

/** The reports as the active faults distort them before conversion. */
function distorted(request: OperationRequest<MeasureSourceFault>, reports: MeasureReport[]): MeasureReport[] {
  if (!request.faults.has('csv-wrong-counts')) return reports;
  return reports.map((r) => ({
    ...r,
    group: r.group?.map((g) => ({ ...g, population: g.population?.map((p) => (p.count === undefined ? p : { ...p, count: p.count + 1 })) })),
  }));
}

async function toCsv(request: OperationRequest<MeasureSourceFault>, reports: MeasureReport[], measure: Measure): Promise<string> {
  const map = request.faults.has('csv-map-ignored') ? [] : values(request.params, 'map');
  const csv = await measureReportsToCsvString(distorted(request, reports), measure, { map });
  if (!request.faults.has('csv-wrong-header')) return csv;
  const eol = csv.indexOf('\r\n');
  return csv.slice(0, eol).toLowerCase() + csv.slice(eol);
}

export const readCsv: OperationDeclaration<MeasureSourceFault> = {
  name: 'read-csv',
  level: ['instance'],
  resources: ['MeasureReport'],
  definition: READ_CSV_OPERATION,
  affectsState: false,
  producesMediaTypes: [CSV],
  async handler(request) {
    const report = request.resource as MeasureReport | undefined;
    if (!report) throw FhirError.of(404, 'not-found', `MeasureReport/${request.id ?? ''} is not known`);
    if (!report.measure) throw FhirError.of(400, 'required', `MeasureReport/${report.id} names no measure, so it cannot be converted`, 'MeasureReport.measure');
    return answer(request, await toCsv(request, [report], measureFor(request.store, report.measure, request.baseUrl)));
  },
};

/** Operation parameters that are not MeasureReport search criteria. */
const NOT_CRITERIA = new Set(['map', '_format', '_pretty', '_count', '_offset']);

function allMatches(request: OperationRequest<MeasureSourceFault>, criteria: Array<[string, string]>): MeasureReport[] {
  const reports: MeasureReport[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = request.store.search('MeasureReport', [...criteria, ['_count', String(PAGE)], ['_offset', String(offset)]], {
      baseUrl: request.baseUrl,
      strict: true,
      maxCount: PAGE,
    });
    const matches = (page.entry ?? []).filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === 'MeasureReport');
    reports.push(...matches.map((e) => e.resource as MeasureReport));
    if (!page.link?.some((l) => l.relation === 'next')) return reports;
  }
}

export const searchCsv: OperationDeclaration<MeasureSourceFault> = {
  name: 'search-csv',
  level: ['type'],
  resources: ['MeasureReport'],
  definition: SEARCH_CSV_OPERATION,
  affectsState: false,
  producesMediaTypes: [CSV],
  async handler(request) {
    const measures = values(request.params, 'measure');
    const periods = values(request.params, 'period');
    if (!request.faults.has('search-csv-no-period-check')) {
      if (measures.length === 0) throw FhirError.of(400, 'required', '$search-csv needs the measure parameter (1..*)', 'measure');
      if (periods.length === 0 || periods.length > 2) throw FhirError.of(400, 'required', `$search-csv needs the period parameter once or twice (a range), not ${periods.length} times`, 'period');
    }
    // The same parameters the REST search would drop under `ignore-search-param:<name>` are dropped here.
    const ignored = new Set([...NOT_CRITERIA, ...request.faults.argumentsOf('ignore-search-param')]);
    if (request.faults.has('search-csv-ignore-period')) ignored.add('period');
    const criteria = (request.params.parameter ?? []).filter((p) => !ignored.has(p.name) && typeof p.valueString === 'string').map((p): [string, string] => [p.name, p.valueString as string]);
    const reports = allMatches(request, criteria);
    const canonicals = new Set(reports.map((r) => (r.measure ?? '').split('|')[0]));
    // D22: one CSV describes one Measure; reports of several cannot share a header.
    if (canonicals.size > 1)
      throw FhirError.of(400, 'not-supported', `the reports found belong to ${canonicals.size} Measures (${[...canonicals].join(', ')}); ask for one measure per CSV`, 'measure');
    const canonical = [...canonicals][0] ?? measures[0];
    if (!canonical) throw FhirError.of(400, 'required', '$search-csv needs the measure parameter to name the CSV columns', 'measure');
    return answer(request, await toCsv(request, reports, measureFor(request.store, canonical, request.baseUrl)));
  },
};
