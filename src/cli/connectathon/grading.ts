/**
 * Grading recorded traffic with the suites' own tests: the client suite of the transaction judges
 * the client's requests (its tests replayed over the recording, see the engine's replay target),
 * and the transaction's answer checks judge the server's answers when the server is not the
 * project's own simulator (the recording proxy). `grade`, the proxy, `serve`'s findings per
 * exchange and its per-client summaries all come through here.
 */
import { runSuites, verdictFromAssertions, type Attestation, type RecordedTraffic, type RequirementResult, type RunResults, type Suite, type SuiteConfig } from '../../engine/index.js';
import { capabilityTitles, catalogue } from '../../../ig/index.js';
import { answerCheckSuite } from './answer-checks.js';
import type { Finding, Side, ValidationNote } from './exchange-log.js';
import type { Transaction } from './transactions.js';

const CATALOGUE = catalogue();

export interface GradeRequest {
  transaction: Transaction;
  /** The sides to judge: the client's requests, the server's answers, or both. */
  sides: readonly Side[];
  traffic: RecordedTraffic;
  /** Judge one request on its own: the tests about how requests relate are left out. */
  oneRequest?: boolean;
  /** Options the client is taken to claim; default every option of the client suite (what the traffic does not show is not observed). */
  options?: readonly string[];
  config?: SuiteConfig;
  attestations?: Readonly<Record<string, Attestation>>;
  sut?: RunResults['sut'];
  signal?: AbortSignal;
}

/** The suites judging each side of a transaction's recorded traffic. */
export function suitesFor(transaction: Transaction, sides: readonly Side[], oneRequest = false): { suite: Suite<object>; side: Side }[] {
  const out: { suite: Suite<object>; side: Side }[] = [];
  if (sides.includes('client')) {
    const client = transaction.client;
    out.push({ suite: oneRequest ? { ...client, tests: client.tests.filter((t) => !t.acrossRequests) } : client, side: 'client' });
  }
  const answers = sides.includes('server') ? answerCheckSuite(transaction) : undefined;
  if (answers) out.push({ suite: answers, side: 'server' });
  return out;
}

/** Runs the suites of the sides asked over the recorded traffic; the results are a run's, for every report format. */
export function gradeTraffic(request: GradeRequest): Promise<RunResults> {
  const parts = suitesFor(request.transaction, request.sides, request.oneRequest).map(({ suite }) => ({ suite, traffic: request.traffic }));
  return gradeRecorded(parts, { ...request, options: request.options ?? request.transaction.client.options });
}

/** Several suites, each over its own recorded traffic, as one run (`grade` with several captures or sides). */
export function gradeRecorded(
  parts: readonly { suite: Suite<object>; traffic: RecordedTraffic; options?: readonly string[] }[],
  settings: Pick<GradeRequest, 'options' | 'config' | 'attestations' | 'sut' | 'signal'> & { sut?: RunResults['sut'] } = {},
): Promise<RunResults> {
  const bySuite = new Map(parts.map((p) => [p.suite.id, p]));
  const sources = [...new Set(parts.map((p) => p.traffic.source))].join(', ');
  return runSuites({
    suites: parts.map((p) => p.suite),
    catalogue: CATALOGUE,
    capabilityTitles,
    plan: (suite) => {
      const part = bySuite.get(suite.id)!;
      return { target: { replay: part.traffic }, options: part.options ?? settings.options ?? suite.options, config: settings.config ?? {} };
    },
    ...(settings.attestations ? { attestations: settings.attestations } : {}),
    ...(settings.signal ? { signal: settings.signal } : {}),
    sut: settings.sut ?? { name: `recorded traffic (${sources})`, simulated: false },
  });
}

/** The checks of a grading as findings (with the side each suite judges), and what validation said. */
export function findingsOf(results: RunResults, transaction: Transaction): { findings: Finding[]; validation: ValidationNote[] } {
  const requirement = new Map<string, RequirementResult>(results.requirements.map((r) => [r.id, r]));
  const findings: Finding[] = [];
  const validation: ValidationNote[] = [];
  for (const test of results.tests) {
    const side: Side = test.suite === transaction.client.id ? 'client' : 'server';
    const cited = test.requirements.flatMap((id) => requirement.get(id) ?? []);
    for (const a of test.assertions) {
      const verdict = a.passed ? 'pass' : (verdictFromAssertions([a], cited).verdict as 'fail' | 'warning');
      findings.push({ side, test: test.id, title: test.title, verdict, requirements: a.requirements ?? (a.requirement ? [a.requirement] : test.requirements), message: a.message });
    }
    for (const e of test.evidence) if (e.kind === 'validation' && e.issues.length) validation.push({ subject: e.subject, issues: e.issues });
  }
  return { findings, validation };
}

/** A requirement as a client's traffic so far shows it: passes, fails, warns, or has not shown it. */
export interface SummaryRow {
  id: string;
  expectation: RequirementResult['expectation'];
  statement: string;
  verdict: 'pass' | 'fail' | 'warning' | 'not shown' | 'manual' | 'error';
  reason?: string;
}

/** The requirements the client suite cites, with what the traffic shows of each. */
export function summaryRows(results: RunResults, suiteId: string): SummaryRow[] {
  const cited = new Set(results.tests.filter((t) => t.suite === suiteId).flatMap((t) => t.requirements));
  return results.requirements
    .filter((r) => cited.has(r.id))
    .map((r) => {
      const verdict: SummaryRow['verdict'] = r.verdict === 'skip' || r.verdict === 'not-tested' ? 'not shown' : r.verdict;
      return { id: r.id, expectation: r.expectation, statement: r.statement, verdict, ...(r.reason ? { reason: r.reason } : {}) };
    });
}
