/**
 * Reference Content Creators, the sending side of IHE mADX Send Aggregate Report [QRPH-58] and
 * IHE RPC Send Concordance Report [LAB-90]. The mADX Creator updates each report with PUT
 * [base]/MeasureReport/[id] (one in JSON, one in XML) and sends several at once as a collection
 * Bundle to [base]; the RPC Creator creates its concordance reports with POST [base]/MeasureReport
 * (JSON and XML). Both see each exchange to its final answer (202 polling, 303 GET), and present
 * the bearer token a Consumer demands on every request.
 */
import type { Bundle, DomainResource, MeasureReport, Narrative, Resource } from 'fhir/r4.js';
import { activateFaults, type ActiveFaults } from '../../src/fhir/faults.js';
import { HttpClient, type HttpResponse } from '../../src/http/client.js';
import { TIMEOUTS } from '../../src/http/timeouts.js';
import { projectFormats, type WireFormat } from '../../src/fhir/codec.js';
import type { ReferenceClient, ReferenceClientRunOptions } from '../simulator.js';
import { MADX_CREATOR_ACTOR } from '../../ig/madx/capabilities.js';
import { RPC_CREATOR_ACTOR } from '../../ig/rpc/capabilities.js';
import { finalAnswer } from './delivery.js';
import { madxCreatorFaults, rpcCreatorFaults, type CreatorFault } from './faults.js';
import { freshCollection, freshReport } from './reports.js';

const MEDIA: Record<WireFormat, string> = { json: 'application/fhir+json', xml: 'application/fhir+xml' };
const OTHER_MEASURE = 'http://example.org/Measure/not-the-configured-one';
const FOREIGN_CODE = 'not-an-indicator-of-the-measure';

export const madxContentCreatorClient: ReferenceClient = {
  id: 'madx-content-creator-client',
  title: 'measure-conformance reference mADX Content Creator',
  plays: [MADX_CREATOR_ACTOR],
  faults: madxCreatorFaults,
  async run(options) {
    const creator = new Creator(options, madxCreatorFaults);
    try {
      await creator.sendMadx();
    } finally {
      await creator.close();
    }
  },
};

export const rpcContentCreatorClient: ReferenceClient = {
  id: 'rpc-content-creator-client',
  title: 'measure-conformance reference RPC Content Creator',
  plays: [RPC_CREATOR_ACTOR],
  faults: rpcCreatorFaults,
  async run(options) {
    const creator = new Creator(options, rpcCreatorFaults);
    try {
      await creator.sendRpc();
    } finally {
      await creator.close();
    }
  },
};

function narrative(text: string): Narrative {
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${text.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</div>` };
}

class Creator {
  readonly #faults: ActiveFaults<CreatorFault>;
  readonly #http: HttpClient;
  readonly #signal: AbortSignal | undefined;

  constructor(options: ReferenceClientRunOptions, known: typeof madxCreatorFaults | typeof rpcCreatorFaults) {
    this.#faults = activateFaults(options.faults ?? [], known);
    this.#signal = options.signal;
    // The plain-http-send fault speaks http to whatever endpoint it was given, https included.
    const baseUrl = this.#faults.has('plain-http-send') ? options.baseUrl.replace(/^https:/, 'http:') : options.baseUrl;
    const credential = options.bearerToken && !this.#faults.has('no-credential') ? { auth: { type: 'bearer' as const, token: options.bearerToken } } : {};
    this.#http = new HttpClient({ baseUrl, timeouts: { requestMs: TIMEOUTS.requestMs }, ...credential, ...(options.ca ? { tls: { ca: options.ca } } : {}) });
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  async sendMadx(): Promise<void> {
    if (this.#faults.has('no-send')) return;
    const json = this.#prepared(freshReport('madx', 'measurereport-valid.json'));
    if (this.#faults.has('invalid-report')) delete json.subject;
    await this.#updateOrPost(json, 'json');
    await this.#updateOrPost(this.#prepared(freshReport('madx', 'measurereport-valid-no-stratifier.json')), 'xml');
    // A report disaggregated by age, its age groups written the ADX way (P15Y--P20Y), or not under the fault.
    const aged = this.#prepared(freshReport('madx', 'measurereport-valid-age-groups.json'));
    if (this.#faults.has('bad-age-group')) {
      const value = aged.group?.[0]?.stratifier?.[0]?.stratum?.[0]?.component?.find((c) => c.code.coding?.some((x) => x.code === 'ageGroup'))?.value;
      if (value?.coding?.[0]) value.coding[0].code = 'under five';
    }
    await this.#updateOrPost(aged, 'json');
    await this.#sendCollection();
  }

  async sendRpc(): Promise<void> {
    if (this.#faults.has('no-send')) return;
    const json = this.#prepared(freshReport('rpc', 'measurereport-valid.json'));
    if (this.#faults.has('invalid-report')) {
      const stratum = json.group![0]!.stratifier![0]!.stratum![0]!;
      stratum.component = [{ code: json.group![0]!.stratifier![0]!.code![0]!, value: stratum.value! }];
      delete stratum.value;
    }
    if (this.#faults.has('location-subject')) json.subject = { reference: 'Location/lab-1' };
    await this.#create(json, 'json');
    await this.#create(this.#prepared(freshReport('rpc', 'measurereport-valid-group-subject.json')), 'xml');
  }

  /** With narrative on the report and what it contains, as FHIR asks of every resource (dom-6). */
  #prepared<R extends MeasureReport>(report: R): R {
    if (this.#faults.has('wrong-measure')) report.measure = OTHER_MEASURE;
    const indicator = report.group?.[0]?.code?.coding?.[0];
    if (this.#faults.has('foreign-codes') && indicator) indicator.code = FOREIGN_CODE;
    for (const r of [report, ...(report.contained ?? [])] as DomainResource[]) r.text ??= narrative(`${r.resourceType} ${r.id ?? ''}`.trim());
    return report;
  }

  /** mADX: an update at the report's own id (QRPH-58 is a FHIR update). */
  async #updateOrPost(report: MeasureReport & { id: string }, format: WireFormat): Promise<void> {
    if (this.#faults.has('post-instead-of-put')) {
      await this.#deliver('POST', 'MeasureReport', report, format);
      return;
    }
    const body = this.#faults.has('put-id-mismatch') ? { ...report, id: `${report.id}-other` } : report;
    await this.#deliver('PUT', `MeasureReport/${report.id}`, body, format);
  }

  /** mADX: several reports at once, for a Creator that was offline, as one collection Bundle. */
  async #sendCollection(): Promise<void> {
    const bundle = freshCollection();
    for (const e of bundle.entry ?? []) this.#prepared(e.resource as MeasureReport);
    if (this.#faults.has('bundle-as-batch')) {
      const batch: Bundle = { ...bundle, type: 'batch', entry: (bundle.entry ?? []).map((e) => ({ ...e, request: { method: 'PUT', url: `MeasureReport/${e.resource?.id}` } })) };
      await this.#deliver('POST', '', batch, 'json');
      return;
    }
    await this.#deliver('POST', '', bundle, 'json');
  }

  /** RPC: a FHIR create (LAB-90), the id left to the Consumer. */
  async #create(report: MeasureReport & { id: string }, format: WireFormat): Promise<void> {
    if (this.#faults.has('put-instead-of-post')) {
      await this.#deliver('PUT', `MeasureReport/${report.id}`, report, format);
      return;
    }
    if (this.#faults.has('put-without-id')) {
      await this.#deliver('PUT', 'MeasureReport', report, format);
      return;
    }
    await this.#deliver('POST', 'MeasureReport', report, format);
  }

  async #deliver(method: 'POST' | 'PUT', path: string, resource: Resource, format: WireFormat): Promise<HttpResponse> {
    const media = this.#faults.has('wrong-content-type') && format === 'json' ? 'application/json' : MEDIA[format];
    const first = await this.#http.request({
      method,
      url: path,
      headers: { 'content-type': media, accept: MEDIA[format] },
      body: projectFormats.serialize(resource, format),
      followRedirects: false,
      ...(this.#signal ? { signal: this.#signal } : {}),
    });
    const answer = await finalAnswer(this.#http, first, {
      poll202: !this.#faults.has('no-polling'),
      follow303: !this.#faults.has('ignore-303'),
      ...(this.#signal ? { signal: this.#signal } : {}),
    });
    // A refusal the sender cannot fix by resending later is reported, and the report counts as not delivered.
    if ((answer.status === 401 || answer.status >= 500) && !this.#faults.has('swallow-errors')) {
      throw new Error(`the Content Consumer answered ${method} ${path || '[base]'} with ${answer.status}: the report was not delivered`);
    }
    return answer;
  }
}
