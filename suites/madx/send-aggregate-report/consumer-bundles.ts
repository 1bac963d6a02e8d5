/**
 * Collection Bundles (QRPH-58 2:3.58.4.1.4): where the Consumer takes a valid one (POST [base], or
 * [base]/Bundle, digest A3), and the invalid one (fixtures/madx/send/bundle-invalid-entries-0-and-2.json:
 * entries 0 and 2 break mADX rules, entry 1 is valid) with what 2:3.58.4.2.3 asks of its answer: one
 * OperationOutcome per invalid report (a Bundle of them; one OperationOutcome with per-entry issues
 * is the A4 warning form), each locating its entry.
 */
import type { Bundle, MeasureReport, OperationOutcome, OperationOutcomeIssue } from 'fhir/r4.js';
import { freshId, statusText, type FhirResponse } from '../../../src/engine/index.js';
import { finalAnswer, outcomeOf, sendFixture, type ConsumerContext, type Decides } from '../../ihe-content/consumer-checks.js';

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

/** Where a collection Bundle is POSTed: `[base]` or `[base]/Bundle` (A3). */
export type BundlePath = '' | 'Bundle';
const BUNDLE_PATHS: readonly BundlePath[] = ['', 'Bundle'];

export function bundleUrl(path: BundlePath): string {
  return path ? `POST [base]/${path}` : 'POST [base]';
}

export interface ValidBundleAnswer {
  /** The path that took the Bundle (a 2xx), if one did. */
  path: BundlePath | undefined;
  /** Its final answer there, when it took it. */
  res: FhirResponse | undefined;
  /** The reports sent, with their fresh ids. */
  reports: MeasureReport[];
  /** What each path answered, e.g. `POST [base] answered 404 Not Found`. */
  seen: string;
}

/** POSTs a valid collection Bundle to [base], and where that does not take it, to [base]/Bundle. */
export async function sendValidBundle(t: ConsumerContext, requirement: Decides): Promise<ValidBundleAnswer> {
  const { bundle } = withFreshIds(sendFixture<Bundle>('madx', 'bundle-valid.json'));
  const reports = (bundle.entry ?? []).map((e) => e.resource as MeasureReport);
  const seen: string[] = [];
  for (const path of BUNDLE_PATHS) {
    const res = await finalAnswer(t, await t.sut.postBundle(bundle, { at: path }), requirement);
    if (!res) return { path: undefined, res, reports, seen: `${bundleUrl(path)} reached no final answer` };
    seen.push(`${bundleUrl(path)} answered ${statusText(res.status)}`);
    if (res.status >= 200 && res.status < 300) return { path, res, reports, seen: seen.join(', ') };
  }
  return { path: undefined, res: undefined, reports, seen: seen.join(', ') };
}

/**
 * The path where the Consumer processes collection Bundles, or the end of the test: taking them is
 * a SHOULD (MADX-CON-023, judged once by its own test), and what QRPH-58 asks of the answer to an
 * invalid Bundle applies only to a Consumer that processes Bundles.
 */
export async function bundlesProcessedAt(t: ConsumerContext, requirement: Decides): Promise<BundlePath> {
  const taken = await sendValidBundle(t, requirement);
  if (taken.path === undefined) {
    t.skip(
      `the Consumer does not process collection Bundles (a valid one: ${taken.seen}); taking them is a SHOULD judged under MADX-CON-023, and the rules for an invalid Bundle's answer apply only to a Consumer that processes Bundles`,
    );
  }
  t.note(`the Consumer processes collection Bundles: a valid one ${taken.seen}`);
  return taken.path;
}

export async function sendInvalidBundle(t: ConsumerContext, requirement: Decides, path: BundlePath = ''): Promise<BundleAnswer> {
  const { bundle, ids } = withFreshIds(sendFixture<Bundle>('madx', 'bundle-invalid-entries-0-and-2.json'));
  const first = await t.sut.postBundle(bundle, { at: path });
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
  for (const i of issues)
    for (const e of i.expression ?? []) {
      const m = /^Bundle\.entry\[(\d+)\]\.resource/.exec(e);
      if (m) named.add(Number(m[1]));
    }
  return named;
}
