/**
 * The Consumer's additions to the server core: Supplemental Data batches, the D5 alternative of a
 * collection Bundle POSTed to [base]/Bundle (accepted, with a warning), `batch` in the
 * CapabilityStatement, and the faults acting after a report is stored.
 */
import type { Bundle, CapabilityStatement, Measure, OperationOutcome, OperationOutcomeIssue, Resource } from 'fhir/r4.js';
import { FhirError, hasErrors } from '../../src/fhir/errors.js';
import type { ResponseEvent, ServerHooks, WriteEvent } from '../../src/fhir/server/index.js';
import { validateResource } from '../../src/fhir/validation/index.js';
import { afterReportWrite, contentKept, withoutReportingPeriod, type ConsumerFault } from './faults.js';
import { PUBLIC_HEALTH_MEASURE_REPORT } from '../../ig/saner/profiles.js';
import { supplementalDataBatch } from './supplemental-data.js';

const COLLECTION_WARNING: OperationOutcomeIssue = {
  severity: 'warning',
  code: 'business-rule',
  diagnostics: 'accepted a collection Bundle at [base]/Bundle (the reading of SANER actors.md); the Supplemental Data Option sends a batch Bundle to [base] (SANER-SD-CON-001)',
};

/** A collection at [base]/Bundle must still be the Supplemental Data shape: the MeasureReport first, valid against the SANER profile. */
function checkCollection(event: WriteEvent<ConsumerFault>): void {
  const bundle = event.resource as Bundle;
  if (bundle.type !== 'collection') {
    throw FhirError.of(422, 'business-rule', `[base]/Bundle takes the collection form of Supplemental Data, not a ${bundle.type} Bundle (a batch goes to [base])`, 'Bundle.type');
  }
  if (bundle.entry?.[0]?.resource?.resourceType !== 'MeasureReport') {
    throw FhirError.of(422, 'invalid', 'the first entry of a Supplemental Data Bundle must be the MeasureReport', 'Bundle.entry[0].resource');
  }
  if (event.faults.has('accept-invalid') || event.faults.has('skip-profile-validation')) return;
  const issues = validateResource(bundle, { profiles: [PUBLIC_HEALTH_MEASURE_REPORT] });
  if (hasErrors(issues)) throw new FhirError(422, issues);
}

function isBundleCreate(event: ResponseEvent<ConsumerFault>): boolean {
  return event.method === 'POST' && event.segments.length === 1 && event.segments[0] === 'Bundle';
}

/** The answer to an accepted collection Bundle: its outcome, warning that batch is the SANER way. */
function withCollectionWarning(resource: Resource): Resource {
  if (resource.resourceType === 'Bundle') {
    const bundle = resource as Bundle;
    const outcome: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: [COLLECTION_WARNING, { severity: 'information', code: 'informational', diagnostics: `stored as Bundle/${bundle.id ?? ''}` }],
    };
    return outcome;
  }
  const outcome = resource as OperationOutcome;
  if (resource.resourceType !== 'OperationOutcome' || outcome.issue.some((i) => i.severity === 'error' || i.severity === 'fatal')) return resource;
  const warned: OperationOutcome = { ...outcome, issue: [COLLECTION_WARNING, ...outcome.issue] };
  return warned;
}

/** Measures served under the invalid-measure fault, alone or in a search Bundle. */
function distortMeasures(resource: Resource): Resource {
  if (resource.resourceType === 'Measure') return withoutReportingPeriod(resource as Measure);
  if (resource.resourceType !== 'Bundle') return resource;
  const bundle = resource as Bundle;
  return { ...bundle, entry: bundle.entry?.map((e) => (e.resource?.resourceType === 'Measure' ? { ...e, resource: withoutReportingPeriod(e.resource as Measure) } : e)) } as Bundle;
}

function withBatch(statement: CapabilityStatement): CapabilityStatement {
  if (!statement.rest?.length) return statement;
  const [first, ...rest] = statement.rest;
  return { ...statement, rest: [{ ...first!, interaction: [{ code: 'batch' }] }, ...rest] };
}

export function consumerHooks(settings: { clientIds: boolean }): ServerHooks<ConsumerFault> {
  return {
    beforeWrite(event) {
      // The core reads Prefer from the request headers when it answers; a server that never looks at it answers as if it were absent.
      if (event.faults.has('ignore-prefer')) delete event.headers['prefer'];
      if (event.resource.resourceType === 'Bundle') checkCollection(event);
      return contentKept(event);
    },
    afterWrite(event) {
      afterReportWrite(event.store, event.stored, event.created, event.faults);
    },
    beforeSend(event, resource) {
      if (resource.resourceType === 'CapabilityStatement') return withBatch(resource as CapabilityStatement);
      if (event.faults.has('invalid-measure')) resource = distortMeasures(resource);
      return isBundleCreate(event) ? withCollectionWarning(resource) : resource;
    },
    processBundle: supplementalDataBatch(settings),
  };
}
