/**
 * Reference Measure Consumer (SANER Query Measure, client side): what a conformant consumer does
 * against a Measure Source. It finds the Measures the source serves, pulls their MeasureReports by
 * measure and period range (paging to the end), dereferences each report's subject, reporter and
 * Measure, exercises `_id` searches with `_include=*` and the optional search parameters, reads in
 * both formats, and with the CSV Option pulls the same reports through `$search-csv` and
 * `$read-csv`, parsing the CSV back into MeasureReports with src/csv.
 */
import type { Identifier, Location, Measure, MeasureReport, Organization } from 'fhir/r4.js';
import { activateFaults, type ActiveFaults } from '../../src/fhir/faults.js';
import { readCsvMeasureReports, measureCodes } from '../../src/csv/index.js';
import type { ReferenceClient, ReferenceClientRunOptions } from '../simulator.js';
import { consumerClientFaults, type ConsumerClientFault } from './faults.js';
import { ConsumerSession, type Params } from './session.js';
import { MEASURE_POPULATIONS_VALUE_SET } from '../../ig/saner/canonicals.js';

const PAGE_SIZE = 10;
/** The reporting window the consumer asks about; wide enough for any fixture data set. */
const WINDOW = { start: '2020-01-01', end: '2030-12-31' };
/** Where `near` looks when no Location carries a position: central New Jersey. */
const DEFAULT_NEAR = { latitude: 40.22, longitude: -74.76 };

export const measureConsumerClient: ReferenceClient = {
  id: 'measure-consumer-client',
  title: 'measure-conformance reference Measure Consumer client',
  plays: ['QueryMeasureConsumer'],
  faults: consumerClientFaults,
  async run(options) {
    const consumer = new Consumer(options);
    try {
      await consumer.pull();
    } finally {
      await consumer.close();
    }
  },
};

class Consumer {
  readonly #faults: ActiveFaults<ConsumerClientFault>;
  readonly #session: ConsumerSession;
  readonly #csv: boolean;

  constructor(options: ReferenceClientRunOptions) {
    this.#faults = activateFaults(options.faults ?? [], consumerClientFaults);
    this.#csv = (options.options ?? []).includes('CSV');
    this.#session = new ConsumerSession(options.baseUrl, { faults: this.#faults, ...(options.signal ? { signal: options.signal } : {}) });
  }

  close(): Promise<void> {
    return this.#session.close();
  }

  async pull(): Promise<void> {
    await this.#session.read('metadata');
    const canonicals = await this.#measureCanonicals();
    const reports: MeasureReport[] = [];
    for (const url of canonicals) reports.push(...(await this.#reportsOf(url)));
    const first = reports[0];
    if (!first) return;

    // A consumer that does not dereference (the fault) uses the reports alone: no reads, no _id lookups.
    const dereferences = !this.#faults.has('no-reference-reads');
    const subjects = dereferences
      ? distinctIds(
          reports.map((r) => r.subject?.reference),
          'Location',
        )
      : [];
    const reporters = dereferences
      ? distinctIds(
          reports.map((r) => r.reporter?.reference),
          'Organization',
        )
      : [];
    const locations = await this.#dereference<Location>('Location', subjects);
    const organizations = await this.#dereference<Organization>('Organization', reporters);
    const measures = dereferences ? await this.#measures([...new Set(reports.map((r) => r.measure))]) : [];

    if (dereferences) await this.#byId('MeasureReport', [first.id ?? '']);
    await this.#byId('Location', subjects);
    await this.#byId('Organization', reporters);
    await this.#byId(
      'Measure',
      measures.flatMap((m) => (m.id ? [m.id] : [])),
    );
    if (this.#may('MeasureReport', 'read') && first.id) await this.#session.read(`MeasureReport/${first.id}`, 'xml', '_format');

    await this.#optionalPartySearches('Location', locations[0]);
    await this.#optionalPartySearches('Organization', organizations[0]);
    await this.#optionalReportSearches(first, locations[0], organizations[0], measures[0]);
    await this.#optionalMeasureSearches(measures[0]);
    if (this.#csv && measures[0]) await this.#pullCsv(first, measures[0], locations[0], organizations[0]);
  }

  /** An optional parameter's value, or an empty one under the `malformed` fault for it. */
  #shape(type: string, name: string, value: string): string {
    return this.#faults.has(`malformed:${type}/${name}`) ? '' : value;
  }

  /** Whether an interaction or parameter on a type is used, i.e. not left out by an `omit` fault. */
  #may(type: string, what: string): boolean {
    return !this.#faults.has(`omit:${type}/${what}`) && (what === 'read' || !this.#faults.has(`omit:${type}/search-type`));
  }

  async #measureCanonicals(): Promise<string[]> {
    if (this.#may('Measure', 'search-type')) {
      const { matches } = await this.#session.search<Measure>('Measure', this.#count([]));
      return matches.flatMap((m) => (m.url ? [m.url] : []));
    }
    // Without Measure searches the consumer can only learn the measures from the reports themselves.
    const { matches } = await this.#session.search<MeasureReport>('MeasureReport', this.#count(this.#period()));
    return [...new Set(matches.map((r) => r.measure))];
  }

  async #reportsOf(measure: string): Promise<MeasureReport[]> {
    if (!this.#may('MeasureReport', 'search-type')) return [];
    const { matches } = await this.#session.search<MeasureReport>('MeasureReport', this.#count(this.#criteria(measure)));
    return matches.filter((r) => r.resourceType === 'MeasureReport');
  }

  /** What every MeasureReport search of this consumer starts from: the measure and a period range. */
  #criteria(measure: string): Params {
    const params: Params = [];
    if (!this.#faults.has('no-measure')) params.push(['measure', measure]);
    if (!this.#faults.has('no-period')) params.push(...this.#period());
    if (this.#faults.has('unknown-param')) params.push(['facility', 'any']);
    return params;
  }

  #period(): Params {
    if (this.#faults.has('bad-period'))
      return [
        ['period', 'ge2020-13-45'],
        ['period', 'le2020-14-01'],
      ];
    if (this.#faults.has('one-sided-period')) return [['period', `ge${WINDOW.start}`]];
    return [
      ['period', `ge${WINDOW.start}`],
      ['period', `le${WINDOW.end}`],
    ];
  }

  #count(params: Params): Params {
    return this.#faults.has('no-count') ? params : [...params, ['_count', String(PAGE_SIZE)]];
  }

  async #dereference<T extends Location | Organization>(type: 'Location' | 'Organization', ids: string[]): Promise<T[]> {
    if (!this.#may(type, 'read')) return [];
    const found: T[] = [];
    for (const id of ids) {
      const r = await this.#session.read<T>(`${type}/${id}`);
      if (r) found.push(r);
    }
    return found;
  }

  /** The Measures behind the reports: canonical search by url, then a read (in XML, by Accept). */
  async #measures(canonicals: string[]): Promise<Measure[]> {
    const found: Measure[] = [];
    for (const url of canonicals) {
      if (!this.#may('Measure', 'search-type')) continue;
      const { matches } = await this.#session.search<Measure>('Measure', [['url', url]]);
      const measure = matches[0];
      if (!measure?.id) continue;
      const read = this.#may('Measure', 'read') ? await this.#session.read<Measure>(`Measure/${measure.id}`, 'xml') : undefined;
      found.push(read ?? measure);
    }
    return found;
  }

  async #byId(type: string, ids: string[]): Promise<void> {
    const wanted = ids.filter(Boolean);
    if (wanted.length === 0 || !this.#may(type, '_id')) return;
    const params: Params = [['_id', wanted.join(',')]];
    if (this.#may(type, '_include')) params.push(['_include', '*']);
    if (this.#faults.has('include-iterate') && type === 'MeasureReport') params.push(['_include:iterate', '*']);
    await this.#session.search(type, params);
  }

  async #optionalPartySearches(type: 'Location' | 'Organization', party: Location | Organization | undefined): Promise<void> {
    if (!party) return;
    const word = firstWord(party.name);
    if (word && this.#may(type, 'name')) await this.#session.search(type, [['name', this.#shape(type, 'name', word)]]);
    const identifier = tokenOf(party.identifier);
    if (identifier && this.#may(type, 'identifier')) await this.#session.search(type, [['identifier', this.#shape(type, 'identifier', identifier)]], { post: true });
  }

  /** Each optional MeasureReport parameter once, on top of the measure + period pair the source must answer. */
  async #optionalReportSearches(report: MeasureReport, location: Location | undefined, organization: Organization | undefined, measure: Measure | undefined): Promise<void> {
    for (const [name, value] of this.#optionalReportParams(report, location, organization, measure)) {
      if (!this.#may('MeasureReport', name)) continue;
      await this.#session.search('MeasureReport', [...this.#criteria(report.measure), [name, this.#shape('MeasureReport', name, value)]]);
    }
  }

  #optionalReportParams(report: MeasureReport, location: Location | undefined, organization: Organization | undefined, measure: Measure | undefined): Params {
    const params: Params = [
      ['_lastUpdated', `ge${WINDOW.start}`],
      ['date', `ge${WINDOW.start}`],
    ];
    const title = firstWord(measure?.title);
    if (title) params.push(['measure.title', title]);
    if (report.subject?.reference) params.push(['subject', report.subject.reference]);
    const subjectId = tokenOf(location?.identifier);
    if (subjectId) params.push(['subject:identifier', subjectId]);
    const at = location?.position ?? DEFAULT_NEAR;
    params.push(['subject:Location.near', `${at.latitude}|${at.longitude}|50|km`]);
    if (report.reporter?.reference) params.push(['reporter', report.reporter.reference]);
    const reporterId = tokenOf(organization?.identifier);
    if (reporterId) params.push(['reporter:identifier', reporterId]);
    return params;
  }

  async #optionalMeasureSearches(measure: Measure | undefined): Promise<void> {
    if (!measure) return;
    const word = firstWord(measure.title) ?? firstWord(measure.name);
    const code = measureCodes(measure)[0];
    const params: Params = [];
    if (word) params.push(['_text', word], ['_content', word], ['definition-text', word]);
    if (code) params.push(['code', code.system ? `${code.system}|${code.code}` : code.code]);
    params.push(['code:in', MEASURE_POPULATIONS_VALUE_SET]);
    for (const [name, value] of params) {
      if (this.#may('Measure', name)) await this.#session.search('Measure', [[name, this.#shape('Measure', name, value)]]);
    }
  }

  /** The CSV Option: the same reports as CSV, by search (with each selection parameter) and by read. */
  async #pullCsv(report: MeasureReport, measure: Measure, location: Location | undefined, organization: Organization | undefined): Promise<void> {
    if (!this.#faults.has('no-search-csv')) {
      const required: Params = [['measure', report.measure]];
      if (!this.#faults.has('search-csv-without-period')) required.push(...this.#period());
      await this.#parseCsv(await this.#session.csv('MeasureReport/$search-csv', required), measure);
      if (!this.#faults.has('search-csv-required-only')) {
        for (const extra of this.#optionalReportParams(report, location, organization, measure)) {
          await this.#parseCsv(await this.#session.csv('MeasureReport/$search-csv', [...required, extra]), measure);
        }
      }
    }
    if (!this.#faults.has('no-read-csv') && report.id) {
      await this.#parseCsv(await this.#session.csv(`MeasureReport/${report.id}/$read-csv`, []), measure);
      const code = measureCodes(measure)[0];
      const map = this.#faults.has('read-csv-bad-map') ? '$$' : code ? `${code.code}$${code.code}-count` : undefined;
      if (map) await this.#parseCsv(await this.#session.csv(`MeasureReport/${report.id}/$read-csv`, [['map', map]]), measure);
    }
  }

  /** Reads a CSV answer the way a consumer uses it; a CSV the converter rejects is simply not used. */
  async #parseCsv(text: string | undefined, measure: Measure): Promise<MeasureReport[]> {
    if (text === undefined) return [];
    try {
      return await readCsvMeasureReports(text, measure, { unknownColumns: 'ignore' });
    } catch {
      return [];
    }
  }
}

function distinctIds(references: (string | undefined)[], type: string): string[] {
  const prefix = `${type}/`;
  return [...new Set(references.flatMap((r) => (r?.startsWith(prefix) ? [r.slice(prefix.length)] : [])))];
}

function tokenOf(identifiers: Identifier[] | undefined): string | undefined {
  const id = identifiers?.find((i) => i.value);
  if (!id?.value) return undefined;
  return id.system ? `${id.system}|${id.value}` : id.value;
}

/** A search word from a name or title: its first word of four letters or more. */
function firstWord(text: string | undefined): string | undefined {
  return text?.split(/[^A-Za-z0-9]+/).find((w) => w.length >= 4);
}
