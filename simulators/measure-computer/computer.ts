/**
 * The reference Measure Computer behind `$evaluate-measure`: it reads the current Measure (from its
 * own store, or from a Measure Definition Source), finds its Libraries and ValueSets, the subject
 * Location and reporter Organization, evaluates against the Data Source, stores the report under
 * an id made of what identifies it (so a re-run updates it) and pushes it to a Measure Consumer.
 */
import { createHash } from 'node:crypto';
import type { Location, Measure, MeasureReport, Organization, Resource } from 'fhir/r4.js';
import { FhirError } from '../../src/fhir/errors.js';
import type { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { DataSourceClient } from './data-source.js';
import { loadDefinitions, type CanonicalResolver } from './definitions.js';
import { evaluateMeasure, type Evaluation } from './evaluate.js';
import { reportingPeriod } from './period.js';
import { pushReport, type PushResult } from './push.js';
import type { MeasureComputerFaults } from './faults.js';

export interface ComputerConfig {
  /** Base URL of the Data Source the criteria are run against. */
  dataSourceUrl: string;
  /** Where Measures, Libraries and ValueSets are read; the computer's own store when absent. */
  measureDefinitionSourceUrl?: string;
  /** A Measure Consumer each computed report is pushed to (create or update). */
  measureConsumerUrl?: string;
  /** `Location/id` reported on when `$evaluate-measure` names no subject. */
  defaultSubject?: string;
  /** `Organization/id` reporting when `$evaluate-measure` names no reporter. */
  defaultReporter?: string;
  faults: MeasureComputerFaults;
}

export interface ComputeRequest {
  measureId: string;
  periodStart?: string;
  periodEnd?: string;
  subject?: string;
  reporter?: string;
}

const LOCAL = 'urn:measure-computer';

/** The id of a `Type/id` reference (relative, absolute, or the bare id) to the expected type. */
function referenceParts(value: string, type: 'Location' | 'Organization', parameter: string): string {
  const parts = value
    .trim()
    .replace(/\/_history\/[^/]+$/, '')
    .split('/');
  const id = parts[parts.length - 1] ?? '';
  const named = parts.length > 1 ? parts[parts.length - 2] : undefined;
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id) || (named !== undefined && named !== type)) {
    throw FhirError.of(400, 'invalid', `${parameter} '${value}' must be a reference to a ${type} (e.g. ${type}/example)`, parameter);
  }
  return id;
}

export class MeasureComputer {
  readonly dataSource: DataSourceClient;
  readonly #definitionSource: DataSourceClient | undefined;
  readonly #stale = new Map<string, Measure>();

  constructor(
    readonly config: ComputerConfig,
    readonly store: ResourceStore,
  ) {
    this.dataSource = new DataSourceClient(config.dataSourceUrl);
    this.#definitionSource = config.measureDefinitionSourceUrl ? new DataSourceClient(config.measureDefinitionSourceUrl) : undefined;
  }

  async close(): Promise<void> {
    await this.dataSource.close();
    await this.#definitionSource?.close();
  }

  /** The Measure as it is now (SANER-CM-PG-009), unless `stale-measure` keeps the first one read. */
  async currentMeasure(id: string): Promise<Measure> {
    const kept = this.config.faults.has('stale-measure') ? this.#stale.get(id) : undefined;
    if (kept) return kept;
    const found = this.#definitionSource ? await this.#definitionSource.read('Measure', id) : this.#held('Measure', id);
    if (!found) throw FhirError.of(404, 'not-found', `Measure/${id} is not known${this.#definitionSource ? ` to the Measure Definition Source ${this.#definitionSource.base}` : ''}`);
    const measure = found as Measure;
    if (!this.#stale.has(id)) this.#stale.set(id, measure);
    return measure;
  }

  #held(type: string, id: string): Resource | undefined {
    try {
      return this.store.read(type, id);
    } catch (err) {
      if (err instanceof FhirError && (err.status === 404 || err.status === 410)) return undefined;
      throw err;
    }
  }

  readonly #canonical: CanonicalResolver = async (type, canonical) => {
    const [url = canonical, version] = canonical.split('|');
    const fits = (r: Resource | undefined) => r?.resourceType === type && (!version || (r as { version?: string }).version === version);
    const local = (this.store.search(type, [['url', url]], { baseUrl: LOCAL }).entry ?? []).map((e) => e.resource).find(fits);
    if (local) return local;
    for (const source of [this.#definitionSource, this.dataSource]) {
      if (!source) continue;
      try {
        const found = (await source.search({ type, params: [['url', url]] })).members.find(fits);
        if (found) return found;
      } catch {
        // A source that cannot search this type simply does not hold it.
      }
    }
    return undefined;
  };

  async #party<T extends Location | Organization>(type: T['resourceType'], reference: string | undefined, parameter: string, fallback: string | undefined): Promise<T> {
    const given = reference ?? fallback;
    if (!given) throw FhirError.of(400, 'required', `$evaluate-measure needs ${parameter} (a ${type} reference): this Measure Computer has no default`, parameter);
    const id = referenceParts(given, type, parameter);
    const found = this.#held(type, id) ?? (await this.dataSource.read(type, id));
    if (!found) throw FhirError.of(400, 'not-found', `${parameter} ${type}/${id} is known neither to the Measure Computer nor to the Data Source`, parameter);
    return found as T;
  }

  async compute(request: ComputeRequest): Promise<Evaluation> {
    const period = reportingPeriod(request.periodStart, request.periodEnd);
    const measure = await this.currentMeasure(request.measureId);
    const subject = await this.#party<Location>('Location', request.subject, 'subject', this.config.defaultSubject);
    const reporter = await this.#party<Organization>('Organization', request.reporter, 'reporter', this.config.defaultReporter);
    const definitions = await loadDefinitions(measure, this.#canonical);
    return evaluateMeasure({ definitions, period, subject, reporter, dataSource: this.dataSource, faults: this.config.faults });
  }

  /** Stores the report: one id per measure version, subject, reporter and period, so a re-run updates (unless `evaluate-duplicates`). */
  save(report: MeasureReport): MeasureReport {
    if (this.config.faults.has('evaluate-duplicates')) {
      const { id: _computedId, ...fresh } = report;
      return this.store.create(fresh);
    }
    const key = [report.measure, report.subject?.reference, report.reporter?.reference, report.period?.start, report.period?.end].join('\n');
    const id = `computed-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
    return this.store.update({ ...report, id }, { allowCreate: true }).resource;
  }

  async push(report: MeasureReport): Promise<PushResult | undefined> {
    if (!this.config.measureConsumerUrl || this.config.faults.has('no-push')) return undefined;
    return pushReport(this.config.measureConsumerUrl, report);
  }
}
