/**
 * The shape of a run's results: what the runner produces, what results.json holds, and all a report
 * renderer needs. Stable: add optional fields, never rename or remove one without bumping schemaVersion.
 */
import type { Issue } from '../fhir/errors.js';
import type { HttpExchange } from '../http/exchange.js';
import type { Requirement } from '../../ig/requirement.js';

export type { BodyCapture, HttpExchange } from '../http/exchange.js';
export type { Expectation, Requirement } from '../../ig/requirement.js';

export type Verdict = 'pass' | 'fail' | 'warning' | 'skip' | 'error' | 'manual';
export type RequirementVerdict = Verdict | 'not-tested';

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
  /**
   * The one requirement this check decides, when it decides exactly one (kept beside `requirements`
   * so readers written before that field still find it).
   */
  requirement?: string;
  /**
   * Every requirement this check decides; their expectations set the verdict of a failure. Absent
   * only in a test that cites one requirement, which the check then decides.
   */
  requirements?: string[];
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
  /** Cited requirements the test could not decide, each with the reason (e.g. the situation it speaks of did not arise). */
  undecided?: { requirement: string; reason: string }[];
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
  /** The data the suite worked on: seeded by the run, named in config, discovered in the SUT, generated, or recorded. */
  dataSet?: { kind: 'seeded' | 'named' | 'discovered' | 'generated' | 'recorded'; description: string };
  /** Why the suite stopped before its tests could be decided (e.g. the SUT stopped answering). */
  stopped?: string;
}

/** What the run took the SUT to claim, actor by actor and option by option, and why. */
export interface ApplicabilityDecision {
  kind: 'actor' | 'option';
  /** The actor or option, e.g. `MeasureSource (SANER Query Measure)`, `CSV`. */
  name: string;
  /** CapabilityStatement canonicals the decision covers; a report shows them as not claimed when `claimed` is false. */
  capabilities: string[];
  /** Suite ids the decision governs. */
  suites: string[];
  claimed: boolean;
  /** Where the decision came from: the SUT's CapabilityStatement, config.yaml, the command line, a run against the reference simulators, or an assumption made for want of either. */
  source: 'capability-statement' | 'config' | 'command-line' | 'reference-run' | 'assumption';
  /** In words, e.g. `not claimed: no $read-csv or $search-csv in the CapabilityStatement and none in config`. */
  reason: string;
}

/** A resource the run wrote into the SUT, and what became of it when the run ended. */
export interface WriteRecord {
  type: string;
  id: string;
  /** Id of the test that wrote it, or `seed` for the run's seeding. */
  by: string;
  interaction: 'create' | 'update' | 'batch' | 'operation';
  cleanup: 'deleted' | 'restored' | 'kept' | 'not-removed';
  /** Why it was kept or could not be removed. */
  note?: string;
}

/** The rule set a run applied where an IG has more than one text (mADX's comment and trial-implementation texts). */
export interface RuleSetChoice {
  ig: string;
  ruleSet: string;
  /** Why this one: declared by the SUT, named in config, or the default; and how to choose another. */
  reason: string;
  /** The suite that applied it (each suite decides for its own SUT). */
  suite?: string;
}

export interface RequirementResult extends Requirement {
  verdict: RequirementVerdict;
  /** Ids of the tests citing it. */
  tests: string[];
  /** Why the requirement has this verdict when it did not pass: the failed check, or why it was not decided, and which test said so. */
  reason?: string;
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
  sut: {
    name: string;
    baseUrl?: string;
    simulated: boolean;
    /** Software and version the SUT's CapabilityStatement names. */
    software?: { name?: string; version?: string; fhirVersion?: string };
    /** The assumption the run made when it could read nothing of what the SUT claims. */
    assumption?: string;
  };
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
  /** What the run took the SUT to claim, and why. */
  applicability?: ApplicabilityDecision[];
  /** What the run wrote into the SUT, and what became of it. */
  writes?: WriteRecord[];
  ruleSets?: RuleSetChoice[];
}
