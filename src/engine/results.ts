/**
 * The shape of a run's results: what the runner produces, what results.json holds, and all a report
 * renderer needs. Stable: add optional fields, never rename or remove one without bumping schemaVersion.
 */
import type { Issue } from '../fhir/errors.js';

export type Verdict = 'pass' | 'fail' | 'warning' | 'skip' | 'error' | 'manual';
export type RequirementVerdict = Verdict | 'not-tested';
export type Expectation = 'SHALL' | 'SHOULD' | 'MAY' | 'SHOULD-NOT';

/** One entry of the project's requirement catalogue. */
export interface Requirement {
  /** Stable id from the spec digests, e.g. `SANER-QM-SRC-012`, `MADX-CC-004`, or the project's own `FHIR-HTTP-…`. */
  id: string;
  expectation: Expectation;
  /** The requirement in words. */
  statement: string;
  /** Where it comes from: document and section, e.g. `SANER transaction-1 §Expected Actions`. */
  source: string;
  /** CapabilityStatement canonical URL the requirement belongs to, when it has one. */
  capability?: string;
  /** Element of that CapabilityStatement, e.g. `MeasureReport.searchParam[date]`, `interaction[read]`, `format`. */
  element?: string;
  /** Why no test covers it, when none does on purpose. */
  notTestedReason?: string;
}

export interface BodyCapture {
  /** The body as text, cut at the capture limit. */
  text: string;
  /** Size in bytes of the whole body as sent. */
  size: number;
  truncated: boolean;
}

/** One HTTP request and its response, made by the harness (outbound) or received by a simulator (inbound). */
export interface HttpExchange {
  direction: 'outbound' | 'inbound';
  method: string;
  url: string;
  /** Header names in lower case; secrets (authorization, cookie, set-cookie, configured secrets) replaced by `[redacted]`. */
  requestHeaders: Record<string, string>;
  requestBody?: BodyCapture;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: BodyCapture;
  /** ISO 8601 instant the request started. */
  startedAt: string;
  durationMs?: number;
  /** Transport failure (timeout, reset, redirect loop, …), when there was no usable response. */
  error?: string;
}

/**
 * A person's recorded answer about a requirement nothing on the wire shows (config.yaml
 * `attestations:`, keyed by requirement id).
 */
export interface Attestation {
  attested: boolean;
  /** Who answered, e.g. a name and role. */
  by: string;
  note?: string;
}

export type Evidence =
  | { kind: 'http'; exchange: HttpExchange }
  | { kind: 'validation'; subject: string; issues: Issue[] }
  | { kind: 'note'; text: string }
  | ({ kind: 'attestation'; requirement: string; question: string } & Attestation);

/** A single check inside a test, so a report can say which expectation failed. */
export interface Assertion {
  passed: boolean;
  message: string;
  /** The one requirement this check is about, when a test cites several; its expectation sets the verdict of a failure. */
  requirement?: string;
  /** `warning`: a failure of this check is at most a warning, whatever the requirement says. */
  severity?: 'error' | 'warning';
}

export interface TestResult {
  /** `<suite id>/<test slug>`, stable across runs. */
  id: string;
  suite: string;
  title: string;
  /** The test's longer explanation, when its title is not enough. */
  description?: string;
  requirements: string[];
  verdict: Verdict;
  /** Why it failed, errored, was skipped or needs a person. */
  reason?: string;
  startedAt: string;
  durationMs: number;
  assertions: Assertion[];
  evidence: Evidence[];
  /** The simulator fault mode under which this test must fail (its negative control). */
  negativeControl?: string;
}

export interface SuiteResult {
  id: string;
  title: string;
  actorUnderTest: string;
  role: 'server' | 'client';
  capabilities: string[];
  /** Base URL of the SUT (server role) or of the simulator the SUT talked to (client role). */
  target: string;
  testIds: string[];
  startedAt: string;
  durationMs: number;
  /** Exchanges and notes from the suite's setup (e.g. fixture discovery), which belong to no single test. */
  setupEvidence?: Evidence[];
}

export interface RequirementResult extends Requirement {
  verdict: RequirementVerdict;
  /** Ids of the tests whose verdicts decided this one. */
  tests: string[];
}

export interface CapabilitySummary {
  url: string;
  title: string;
  shall: { passed: number; total: number };
  should: { passed: number; total: number };
}

export interface RunResults {
  schemaVersion: 1;
  harness: { name: string; version: string };
  sut: { name: string; baseUrl?: string; simulated: boolean };
  startedAt: string;
  finishedAt: string;
  /** true when the run was stopped (Ctrl-C) before every selected test ran. */
  interrupted: boolean;
  overall: 'pass' | 'fail' | 'error';
  counts: Record<Verdict, number>;
  capabilities: CapabilitySummary[];
  suites: SuiteResult[];
  requirements: RequirementResult[];
  tests: TestResult[];
}
