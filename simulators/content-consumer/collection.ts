/**
 * A collection Bundle of MeasureReports (QRPH-58 2:3.58.4.1.4), POSTed to [base] or [base]/Bundle
 * (digest A3). Any invalid entry refuses the whole Bundle with 422 and one OperationOutcome per
 * invalid entry, gathered in a collection Bundle (A4); a valid Bundle stores every report.
 */
import type { Bundle, MeasureReport, OperationOutcome, Resource } from 'fhir/r4.js';
import { FhirError, type Issue } from '../../src/fhir/errors.js';
import type { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { rejection, rejectionIssues, type OutcomeStyle } from './outcomes.js';
import { reportProblems, type ConsumerProfile } from './validation.js';
import type { ContentConsumerFaults } from './faults.js';

interface InvalidEntry {
  at: string;
  issues: Issue[];
  ruleSet: string;
}

export interface CollectionAnswer {
  resource: Resource;
  status: number;
}

/** An entry with an id is stored under it (created or updated), one without gets a new id. */
function store(storeOf: ResourceStore, report: MeasureReport): string {
  const stored = report.id ? storeOf.update(report, { allowCreate: true }).resource : storeOf.create(report);
  return `MeasureReport/${stored.id ?? ''}`;
}

export function processCollection(bundle: Bundle, storeOf: ResourceStore, profile: ConsumerProfile, faults: ContentConsumerFaults): CollectionAnswer {
  if (bundle.type !== 'collection') {
    throw FhirError.of(400, 'not-supported', `Send Aggregate Report takes a collection Bundle, not a ${String(bundle.type)} Bundle`, 'Bundle.type');
  }
  const given: unknown = bundle.entry ?? [];
  if (!Array.isArray(given)) throw FhirError.of(400, 'structure', 'Bundle.entry must be an array of entries', 'Bundle.entry');
  const entries = given as NonNullable<Bundle['entry']>;
  if (entries.length === 0) throw FhirError.of(422, 'required', 'the collection Bundle holds no MeasureReport', 'Bundle.entry');
  const acceptAll = faults.has('accept-invalid');
  const skipProfile = faults.has('skip-profile-validation');
  const invalid = acceptAll
    ? []
    : entries.flatMap((entry, i): InvalidEntry[] => {
        const at = `Bundle.entry[${i}].resource`;
        // Parsing keeps any JSON shape: an entry may be null or carry a string, not a resource.
        if (typeof entry?.resource !== 'object' || entry.resource === null)
          return [{ at, ruleSet: profile.ruleSet, issues: [{ severity: 'error', code: 'required', message: 'the entry carries no resource', expression: at }] }];
        const problems = reportProblems(entry.resource, profile, skipProfile);
        return problems ? [{ at, issues: problems.issues, ruleSet: problems.ruleSet }] : [];
      });
  const valid = entries.filter((_, i) => !invalid.some((x) => x.at === `Bundle.entry[${i}].resource`));
  if (invalid.length && !faults.has('bundle-accept-partial')) {
    const style = (x: InvalidEntry): OutcomeStyle => ({
      at: x.at,
      status: 422,
      ruleSet: x.ruleSet,
      withExpression: !faults.has('bundle-issue-without-expression'),
      severity: faults.has('bundle-severity-error') ? 'error' : 'fatal',
    });
    if (faults.has('bundle-single-outcome')) {
      const outcome: OperationOutcome = { resourceType: 'OperationOutcome', issue: invalid.flatMap((x) => rejectionIssues(x.issues, style(x))) };
      return { resource: outcome, status: 422 };
    }
    const outcomes: Bundle = { resourceType: 'Bundle', type: 'collection', entry: invalid.map((x) => ({ resource: rejection(x.issues, style(x)) })) };
    return { resource: outcomes, status: 422 };
  }
  const stored = storeOf.transaction(() => valid.map((e) => store(storeOf, e.resource as MeasureReport)));
  const outcome: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'information', code: 'informational', diagnostics: `stored ${stored.length} MeasureReport(s) (rule set ${profile.ruleSet}): ${stored.join(', ')}` }],
  };
  return { resource: outcome, status: 200 };
}
