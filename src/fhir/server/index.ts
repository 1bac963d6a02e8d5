/**
 * The FHIR server core. A simulator writes a ServerDeclaration (types, interactions, search
 * parameters, operations, profiles, its own fault modes) and either registers `fhirServerPlugin`
 * in its own fastify app or calls `startFhirServer({ declaration, storePath, faults, onExchange })`.
 */
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
export { coreFaults, activeFaults, faultArguments } from './faults.js';
export type { BundleEvent, FhirServerOptions, ServerHooks, ResponseEvent, WriteEvent } from './context.js';
export { fhirServerPlugin, DEFAULT_BODY_LIMIT } from './plugin.js';
export { startFhirServer, buildFhirApp, type StartFhirServerOptions, type RunningFhirServer } from './start.js';
export { redactHeaders } from './exchange.js';
