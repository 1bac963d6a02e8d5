/**
 * A load scenario: one of the suites' transactions played many times over. Setup learns what the
 * SUT offers (its CapabilityStatement, the data a query can ask for); each flow is one actor's
 * piece of work (a facility pushing its day's report, a consumer querying a period), a short
 * sequence of dependent requests, each judged by checks that cite the suites' requirement ids.
 */
import type { CapabilityStatement } from 'fhir/r4.js';
import type { Answer, Check } from './checks.js';
import type { LoadRequest } from './transport.js';

export interface SetupContext {
  /** What GET [base]/metadata answered, when it was a CapabilityStatement. */
  capabilities: CapabilityStatement | undefined;
  /** A request outside the measured load (not counted, not judged); throws NoAnswer when the SUT gives none. */
  get(url: string): Promise<Answer>;
  runId: string;
  facilities: number;
  invalidShare: number;
  /** Something the report should say about how the scenario ran (e.g. reads back skipped, and why). */
  note(text: string): void;
}

/** One request of a flow: its step name (for per-step figures), what it is in words, and what its answer is held to. */
export interface FlowRequest extends LoadRequest {
  step: string;
  /** The request in words without ids, e.g. `PUT MeasureReport/[id]`. */
  what: string;
  checks: readonly Check[];
  /** Requirements a request left without any answer breaks (e.g. "every request is answered with a status code"). */
  unanswered: readonly string[];
  /** Statuses that are not yet the answer (202, 303 of an asynchronous exchange): not judged, the flow follows them. */
  interim?: readonly number[];
}

export interface FlowContext {
  /** This flow's number, from 0; facility = index mod facilities, day = floor(index / facilities). */
  readonly index: number;
  readonly facility: number;
  readonly day: number;
  /** Whether this flow sends an invalid report (--invalid-share, spread evenly over the flows). */
  readonly invalid: boolean;
  /** Which invalid flow this is (0, 1, 2…), so the kinds of invalid report take turns. */
  readonly invalidOrdinal: number;
  readonly runId: string;
  /** Eight hex digits of the run id, for ids and identifiers. */
  readonly runHex: string;
  /** A number unique in the run, for ids and identifiers. */
  sequence(): number;
  /** Sends when the pacer lets it go and judges the answer; undefined when the load phase is over or no answer came (recorded). */
  send(request: FlowRequest): Promise<Answer | undefined>;
  /** A finding about the flow as a whole (e.g. a search that missed a report it must find). */
  fail(step: string, requirements: readonly string[], message: string, example: string): void;
  /** The flow wrote a resource into the SUT (id undefined: the SUT named none). */
  wrote(type: string, id: string | undefined): void;
  /** Offers a resource an answer carried for the validation sample. */
  sample(offer: SampleOffer): void;
}

export interface SampleOffer {
  /** The answer's body (JSON); anything but a `type` resource is passed over when the sample is validated. */
  text: string;
  type: string;
  /** The request in words. */
  what: string;
  requirements: readonly string[];
  profiles: readonly string[];
}

export interface K6Script {
  /** JSON-serializable data the flow reads as `DATA`. */
  data: unknown;
  /** JavaScript: `function flow(n) { … }`, sending one flow's requests with k6's http and judge(). */
  flow: string;
  /** Requests one flow sends, to turn a request budget into k6 iterations. */
  requestsPerFlow: number;
}

export interface Scenario<State = unknown> {
  id: string;
  title: string;
  /** The actor the SUT plays. */
  actor: string;
  /** The bundled simulator that plays it when no SUT is given. */
  simulator: string;
  /** Requirement ids the scenario's checks cite (a test holds each to the catalogue). */
  requirements: readonly string[];
  setup(ctx: SetupContext): Promise<State>;
  flow(ctx: FlowContext, state: State): Promise<void>;
  k6(state: State): K6Script;
}

/** Raised by setup when the SUT cannot take this scenario (say why and what to do). */
export class ScenarioSetupError extends Error {
  override name = 'ScenarioSetupError';
}

/** Flow n of `share` is invalid when it starts a new whole of n × share: exactly that share, spread evenly. */
export function isInvalidFlow(index: number, share: number): boolean {
  return share > 0 && Math.floor((index + 1) * share) > Math.floor(index * share);
}

/** The number of invalid flows before flow `index`. */
export function invalidOrdinal(index: number, share: number): number {
  return Math.floor(index * share);
}

export const K6_FLOW_FUNCTIONS = String.raw`
function isInvalidFlow(index, share) {
  return share > 0 && Math.floor((index + 1) * share) > Math.floor(index * share);
}
function invalidOrdinal(index, share) {
  return Math.floor(index * share);
}
`;
