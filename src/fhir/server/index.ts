export type {
  FaultModeDef,
  Interaction,
  OperationDeclaration,
  OperationLevel,
  OperationRequest,
  OperationResult,
  ResourceDeclaration,
  ServerDeclaration,
  ValidationPolicy,
} from './declaration.js';
export { buildCapabilityStatement } from './capability.js';
export { coreFaults, activeFaults } from './faults.js';
export { fhirServerPlugin, DEFAULT_BODY_LIMIT, type FhirServerOptions, type ServerHooks, type ResponseEvent, type WriteEvent } from './plugin.js';
export { startFhirServer, buildFhirApp, type StartFhirServerOptions, type RunningFhirServer } from './start.js';
export { redactHeaders } from './exchange.js';
