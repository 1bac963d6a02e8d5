/** The engine's public API: what suites, IG folders and the CLI import. */
export { defineSuite, test, slugify, testId, ATTESTED_FALSE } from './suite.js';
export { HarnessError, TestStop, TriggerError, WaitTimeout } from './errors.js';
export type { Suite, SuiteSpec, TestDefinition, TestSpec, TestPreconditions, Role, Fixture } from './suite.js';
export { RequirementCatalogue, defineRequirements, requirementsOf, requirementProblems, citationProblems, assertCitationsKnown, CatalogueError } from './catalogue.js';
export type { TestContext, CheckOptions } from './context.js';
export { abortableSleep, formatDuration } from './time.js';
export { Environment } from './environment.js';
export type {
  SuiteEnvironment,
  SuiteConfig,
  DataSetChoice,
  CredentialKind,
  SimulatorHandle,
  StandIn,
  Recording,
  RecordOptions,
  RecordedTraffic,
  LaunchSimulator,
  LaunchOptions,
  RunningServer,
  StartServer,
} from './environment.js';
export { createFhirClient } from './fhir-client.js';
export type { FhirClient, FhirResponse, FhirRequestOptions, SearchOptions, OperationOptions, RawRequestOptions, ParseOutcome } from './fhir-client.js';
export { HttpClient, TransportError, HttpConfigError } from '../http/client.js';
export { REDACTED, redactDeep } from '../http/redact.js';
export type { HttpClientConfig, HttpRequest, HttpResponse, HttpAuth, HttpTimeouts, TransportFailure } from '../http/client.js';
export { projectFormats, projectValidator } from '../fhir/codec.js';
export type { ResourceFormats, ValidateResource, WireFormat } from '../fhir/codec.js';
export { readInbound, requestBelow, requestKey, mediaTypeOf, paramValues, bodyOf } from './inbound.js';
export type { InboundRequest, Interaction } from './inbound.js';
export { statusText } from './status-text.js';
export { fireTrigger, triggerVariables } from './triggers.js';
export type { Trigger, PromptIo, TriggerContext, TriggerOutcome, Ask, ReferenceTrigger, ConfiguredTrigger } from './triggers.js';
export { runSuites } from './runner.js';
export type { RunOptions, SuitePlan, SuiteTarget, ProgressEvent } from './runner.js';
export { decidedBy, verdictFromAssertions, verdictForRequirement, requirementResults, capabilitySummaries, countVerdicts, overallVerdict, worst } from './verdict.js';
export * from './results.js';
export { RUN_TAG_SYSTEM, newRunId, runTag, withRunTag, runTagOf } from './run-tag.js';
export { WriteLog } from './writes.js';
export { freshId } from './fresh-id.js';
export type { WriteTracking } from './writes.js';
