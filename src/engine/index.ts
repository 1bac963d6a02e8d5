/** The engine's public API: what suites, IG folders and the CLI import. */
export { defineSuite, test, slugify, testId, HarnessError, ATTESTED_FALSE } from './suite.js';
export type { Suite, SuiteSpec, TestDefinition, TestSpec, TestPreconditions, Role, Fixture } from './suite.js';
export {
  RequirementCatalogue,
  registry,
  registerRequirements,
  defineRequirements,
  loadCatalogue,
  citationProblems,
  assertCitationsKnown,
  requirementProblems,
} from './catalogue.js';
export type { TestContext, SetupContext, SimulatorView, CheckOptions, SuiteConfig } from './context.js';
export { abortableSleep } from './context.js';
export type { FhirClient, FhirResponse, FhirRequestOptions, SearchOptions, OperationOptions, RawRequestOptions, ParseOutcome } from './fhir-client.js';
export { HttpClient, TransportError, REDACTED, DEFAULTS as HTTP_DEFAULTS } from './http.js';
export type { HttpClientConfig, HttpRequest, HttpResponse, HttpAuth, HttpTimeouts, TransportFailure } from './http.js';
export { projectFormats, projectValidator } from './codec.js';
export type { ResourceFormats, ValidateResource, WireFormat } from './codec.js';
export { SimulatorSession, requestBelow } from './simulator.js';
export type { RunningServer, StartServer, RequestMatcher, WaitOptions } from './simulator.js';
export { fireTrigger, triggerVariables, TriggerError } from './triggers.js';
export type { Trigger, PromptIo, TriggerContext } from './triggers.js';
export { runSuites } from './runner.js';
export type { RunOptions, SuitePlan, SuiteTarget, ProgressEvent } from './runner.js';
export { verdictFromAssertions, verdictForRequirement, requirementResults, capabilitySummaries, countVerdicts, overallVerdict, worst } from './verdict.js';
export * from './results.js';
