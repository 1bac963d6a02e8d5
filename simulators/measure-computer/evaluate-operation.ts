/**
 * SANER's `Measure/[id]/$evaluate-measure` (GET or POST): `periodStart` and `periodEnd` (1..1),
 * `subject` and `reporter` (references; the computer's defaults when absent), `report` (`true`
 * stores the report, creating or updating the one of the same measure version, subject, reporter
 * and period, and pushes it to the configured Measure Consumer; `false` or absent only returns
 * it). The answer is the MeasureReport itself.
 */
import type { MeasureReport, Parameters, ParametersParameter } from 'fhir/r4.js';
import { EVALUATE_MEASURE_OPERATION } from '../../ig/saner/canonicals.js';
import { TransportError } from '../../src/http/client.js';
import { FhirError } from '../../src/fhir/errors.js';
import type { OperationDeclaration } from '../../src/fhir/server/index.js';
import type { MeasureComputerFault, MeasureComputerFaults } from './faults.js';
import type { ComputeRequest, MeasureComputer } from './computer.js';
import { DataSourceError } from './data-source.js';
import { priorPeriod, reportingPeriod } from './period.js';
import { PushError } from './push.js';

const PARAMETERS = ['periodStart', 'periodEnd', 'subject', 'reporter', 'report'] as const;
type ParameterName = (typeof PARAMETERS)[number];

function text(p: ParametersParameter): string | undefined {
  const v = p.valueString ?? p.valueDate ?? p.valueDateTime ?? p.valueInstant ?? p.valueCode ?? p.valueUri ?? p.valueReference?.reference;
  return v ?? (typeof p.valueBoolean === 'boolean' ? String(p.valueBoolean) : undefined);
}

function inputs(params: Parameters): Partial<Record<ParameterName, string>> {
  const out: Partial<Record<ParameterName, string>> = {};
  for (const p of params.parameter ?? []) {
    if (!(PARAMETERS as readonly string[]).includes(p.name)) {
      throw FhirError.of(400, 'not-supported', `$evaluate-measure has no parameter '${p.name}' (it takes ${PARAMETERS.join(', ')})`, p.name);
    }
    const name = p.name as ParameterName;
    if (out[name] !== undefined) throw FhirError.of(400, 'invalid', `$evaluate-measure takes ${name} once (0..1 / 1..1), not repeated`, name);
    const value = text(p);
    if (value === undefined || value.trim() === '') throw FhirError.of(400, 'invalid', `$evaluate-measure parameter ${name} has no value`, name);
    out[name] = value;
  }
  return out;
}

function storeFlag(value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw FhirError.of(400, 'invalid', `report must be true or false, not '${value}'`, 'report');
}

/** The period to compute: the one asked, or under `evaluate-ignores-period` the one before it (bad input is refused either way). */
function periodToCompute(given: Partial<Record<ParameterName, string>>, faults: MeasureComputerFaults): Pick<ComputeRequest, 'periodStart' | 'periodEnd'> {
  if (!faults.has('evaluate-ignores-period')) {
    return { ...(given.periodStart ? { periodStart: given.periodStart } : {}), ...(given.periodEnd ? { periodEnd: given.periodEnd } : {}) };
  }
  const prior = priorPeriod(reportingPeriod(given.periodStart, given.periodEnd));
  return { ...(prior.start ? { periodStart: prior.start } : {}), ...(prior.end ? { periodEnd: prior.end } : {}) };
}

export function evaluateMeasureOperation(computer: MeasureComputer): OperationDeclaration<MeasureComputerFault> {
  return {
    name: 'evaluate-measure',
    level: ['instance'],
    resources: ['Measure'],
    definition: EVALUATE_MEASURE_OPERATION,
    // SANER invokes it with GET too, though report=true stores: the IG's definition, not R4's rule.
    affectsState: false,
    async handler(request) {
      const faults = computer.config.faults;
      const given = inputs(request.params);
      const store = storeFlag(given.report) || faults.has('evaluate-stores-always');
      let report: MeasureReport;
      try {
        ({ report } = await computer.compute({
          measureId: request.id ?? '',
          ...periodToCompute(given, faults),
          ...(given.subject ? { subject: given.subject } : {}),
          ...(given.reporter ? { reporter: given.reporter } : {}),
        }));
      } catch (err) {
        if (err instanceof TransportError || err instanceof DataSourceError) throw FhirError.of(502, 'transient', `the Data Source could not be used: ${err.message}`);
        throw err;
      }
      if (!store || faults.has('evaluate-never-stores')) return { kind: 'resource', resource: report };
      const saved = computer.save(report);
      try {
        await computer.push(saved);
      } catch (err) {
        if (err instanceof PushError || err instanceof TransportError) {
          throw FhirError.of(502, 'transient', `the report was computed and stored as MeasureReport/${saved.id ?? ''}, but the push to the Measure Consumer failed: ${err.message}`);
        }
        throw err;
      }
      return { kind: 'resource', resource: saved };
    },
  };
}
