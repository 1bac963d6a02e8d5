/**
 * The invalid collection Bundle (fixtures/madx/send/bundle-invalid-entries-0-and-2.json: entries 0
 * and 2 break mADX rules, entry 1 is valid) and what QRPH-58 2:3.58.4.2.3 asks of its answer: one
 * OperationOutcome per invalid report (a Bundle of them; one OperationOutcome with per-entry issues
 * is the A4 warning form), each locating its entry.
 */
import type { Bundle, MeasureReport, OperationOutcome, OperationOutcomeIssue } from 'fhir/r4.js';
import type { FhirResponse } from '../../../src/engine/index.js';
import { finalAnswer, freshId, outcomeOf, sendFixture, type ConsumerContext } from '../../ihe-content/consumer-checks.js';

export const INVALID_ENTRIES = [0, 2] as const;

export interface BundleAnswer {
  res: FhirResponse;
  /** Entry ids as sent, by position. */
  ids: string[];
  /** The OperationOutcomes the answer carries: the entries of a Bundle, or the one body. */
  outcomes: OperationOutcome[];
  /** Whether the answer used the single-OperationOutcome form (A4). */
  single: boolean;
}

/** Entries with fresh ids, so a SUT that wrongly stores part of it shows it on read. */
export function withFreshIds(bundle: Bundle): { bundle: Bundle; ids: string[] } {
  const ids: string[] = [];
  const entry = (bundle.entry ?? []).map((e) => {
    const id = freshId('madx-entry');
    ids.push(id);
    return { ...e, resource: { ...(e.resource as MeasureReport), id } };
  });
  return { bundle: { ...bundle, entry }, ids };
}

export async function sendInvalidBundle(t: ConsumerContext, requirement: string): Promise<BundleAnswer> {
  const { bundle, ids } = withFreshIds(sendFixture<Bundle>('madx', 'bundle-invalid-entries-0-and-2.json'));
  const first = await t.sut.request('POST', '', { body: JSON.stringify(bundle), headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' } });
  const res = t.require(await finalAnswer(t, first, requirement), 'the Bundle submission reached a final answer', { requirement });
  const parsed = res.text.trim() ? res.tryResource<Bundle | OperationOutcome>() : undefined;
  if (parsed?.ok && parsed.resource.resourceType === 'Bundle') {
    const outcomes = (parsed.resource.entry ?? []).map((e) => e.resource).filter((r): r is OperationOutcome => r?.resourceType === 'OperationOutcome');
    return { res, ids, outcomes, single: false };
  }
  const outcome = outcomeOf(res);
  return { res, ids, outcomes: outcome ? [outcome] : [], single: true };
}

/** The issues that name an entry: an expression `Bundle.entry[i].resource` (or below it). */
export function entriesNamed(issues: readonly OperationOutcomeIssue[]): Set<number> {
  const named = new Set<number>();
  for (const i of issues) for (const e of i.expression ?? []) {
    const m = /^Bundle\.entry\[(\d+)\]\.resource/.exec(e);
    if (m) named.add(Number(m[1]));
  }
  return named;
}
