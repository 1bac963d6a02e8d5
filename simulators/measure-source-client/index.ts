/**
 * Reference Measure Source (SANER Produce Measure, client side): what a conformant pushing source
 * does against a Measure Consumer. It reads the Consumer's CapabilityStatement, creates reports with
 * POST in JSON and in XML, revises one with PUT at the id the Consumer's Location gave, and with the
 * CSV Option posts a report's CSV to `Measure/[id]/$report-csv`, with the Supplemental Data Option
 * a batch Bundle (the report first, then what its evaluatedResource names) to [base].
 */
import type { Bundle, Measure, MeasureReport, Resource } from 'fhir/r4.js';
import { activateFaults, type ActiveFaults } from '../../src/fhir/faults.js';
import { HttpClient, type HttpResponse } from '../../src/http/client.js';
import { TIMEOUTS } from '../../src/http/timeouts.js';
import { projectFormats, formatOfContentType, type WireFormat } from '../../src/fhir/codec.js';
import type { ReferenceClient, ReferenceClientRunOptions } from '../simulator.js';
import { sourceClientFaults, type SourceClientFault } from './faults.js';
import { PUSHED, csvPush, fixtureReport, freshReport, reportCsvParameters, revised, supplementalBundle } from './reports.js';

const MEDIA: Record<WireFormat, string> = { json: 'application/fhir+json', xml: 'application/fhir+xml' };

export const measureSourceClient: ReferenceClient = {
  id: 'measure-source-client',
  title: 'measure-conformance reference Measure Source client',
  plays: ['ProduceMeasureSource'],
  faults: sourceClientFaults,
  async run(options) {
    const source = new Source(options);
    try {
      await source.push();
    } finally {
      await source.close();
    }
  },
};

/** Where a pushed report lives on the Consumer, learnt from its answer. */
interface Pushed {
  id: string;
  report: MeasureReport;
}

class Source {
  readonly #faults: ActiveFaults<SourceClientFault>;
  readonly #options: readonly string[];
  readonly #http: HttpClient;
  readonly #signal: AbortSignal | undefined;

  constructor(options: ReferenceClientRunOptions) {
    this.#faults = activateFaults(options.faults ?? [], sourceClientFaults);
    this.#options = options.options ?? ['Push'];
    this.#signal = options.signal;
    this.#http = new HttpClient({ baseUrl: options.baseUrl, timeouts: { requestMs: TIMEOUTS.requestMs } });
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  async push(): Promise<void> {
    await this.#send('GET', 'metadata', { accept: MEDIA.json });
    if (this.#faults.has('no-push')) return;
    const first = await this.#create(freshReport(PUSHED.json), 'json');
    await this.#create(freshReport(PUSHED.xml), 'xml');
    if (first) await this.#revise(first);
    if (this.#options.includes('CSV')) await this.#pushCsv(fixtureReport(PUSHED.csv).measure);
    if (this.#options.includes('SupplementalData')) await this.#pushSupplemental();
  }

  /** A new report: POST [base]/MeasureReport, the id taken from the Location of the answer. */
  async #create(report: MeasureReport, format: WireFormat): Promise<Pushed | undefined> {
    if (this.#faults.has('invalid-report') && format === 'xml') report.date = report.date?.slice(0, 10);
    if (this.#faults.has('no-create')) {
      const id = `src-${report.identifier![0]!.value!.slice(-12)}`;
      const res = await this.#write('PUT', `MeasureReport/${id}`, { ...report, id }, format);
      return res.status < 300 ? { id, report } : undefined;
    }
    const res = await this.#write('POST', 'MeasureReport', report, format);
    const id = res.status < 300 ? assignedId(res, 'MeasureReport') : undefined;
    return id ? { id, report } : undefined;
  }

  /** A correction of what was sent: an update of the same resource, never a second report. */
  async #revise(pushed: Pushed): Promise<void> {
    if (this.#faults.has('no-update')) return;
    const next = revised(pushed.report);
    if (this.#faults.has('update-by-post')) {
      await this.#write('POST', 'MeasureReport', next, 'json');
      return;
    }
    const id = this.#faults.has('ignore-location') ? fixtureReport(PUSHED.json).id! : pushed.id;
    const body: MeasureReport = this.#faults.has('put-without-id') ? next : { ...next, id };
    await this.#write('PUT', `MeasureReport/${id}`, body, 'json');
  }

  /** The CSV Option: the report's CSV against the Measure the Consumer holds for its canonical URL. */
  async #pushCsv(canonical: string): Promise<void> {
    const found = await this.#send('GET', `Measure?url=${encodeURIComponent(canonical)}`, { accept: MEDIA.json });
    const measure = (parse(found) as Bundle | undefined)?.entry?.map((e) => e.resource).find((r): r is Measure => r?.resourceType === 'Measure');
    if (!measure?.id) return;
    const push = await csvPush(measure, this.#faults.has('csv-bad-cell'));
    if (this.#faults.has('csv-as-body')) {
      await this.#send('POST', 'MeasureReport', { 'content-type': 'text/csv', accept: MEDIA.json }, push.csv);
      return;
    }
    const parameters = reportCsvParameters(push, { inputAsString: this.#faults.has('csv-input-as-string'), withPeriod: !this.#faults.has('csv-missing-period') });
    await this.#write('POST', `Measure/${measure.id}/$report-csv`, parameters, 'json');
  }

  /** The Supplemental Data Option: one batch at [base] (or, under a fault, another Bundle shape). */
  async #pushSupplemental(): Promise<void> {
    const collection = this.#faults.has('batch-as-collection');
    const bundle = supplementalBundle({
      type: collection ? 'collection' : this.#faults.has('batch-as-transaction') ? 'transaction' : 'batch',
      reportFirst: !this.#faults.has('batch-wrong-order'),
      dropOne: this.#faults.has('batch-missing-reference'),
    });
    await this.#write('POST', collection ? 'Bundle' : '', bundle, 'json');
  }

  async #write(method: 'POST' | 'PUT', path: string, resource: Resource, format: WireFormat): Promise<HttpResponse> {
    const legacy = this.#faults.has('wrong-content-type') && format === 'json';
    const media = legacy ? 'application/json' : MEDIA[format];
    return this.#send(method, path, { 'content-type': media, accept: media }, projectFormats.serialize(resource, format));
  }

  #send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpResponse> {
    return this.#http.request({ method, url: path, headers, ...(body !== undefined ? { body } : {}), ...(this.#signal ? { signal: this.#signal } : {}) });
  }
}

/** The id the Consumer gave a created resource: from Location (`…/Type/id/_history/n`), else from the body it returned. */
function assignedId(res: HttpResponse, type: string): string | undefined {
  const location = res.headers['location'];
  const match = location ? new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})(?:/_history/|$)`).exec(location) : null;
  if (match) return match[1];
  const body = parse(res);
  return body?.resourceType === type ? body.id : undefined;
}

function parse(res: HttpResponse): Resource | undefined {
  const format = formatOfContentType(res.headers['content-type']);
  if (res.status >= 300 || !format || !res.text) return undefined;
  try {
    return projectFormats.parse(res.text, format);
  } catch {
    return undefined;
  }
}
