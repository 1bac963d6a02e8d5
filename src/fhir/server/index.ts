/**
 * The FHIR server core. A simulator writes a ServerDeclaration (types, interactions, search
 * parameters, operations, profiles, its own fault catalogue) and calls
 * `startFhirServer({ declaration, storePath, faults, hooks, onExchange })`.
 */
export type {
  ActiveFaultsOf,
  OperationDeclaration,
  OperationRequest,
  OperationResult,
  ResourceDeclaration,
  ServerDeclaration,
} from './declaration.js';
export { coreFaults, type CoreFaults } from './faults.js';
export type { BundleEvent, ServerHooks, ResponseEvent, WriteEvent } from './context.js';
export { DEFAULT_BODY_LIMIT } from './plugin.js';
export { startFhirServer, buildFhirApp, type RunningFhirServer, type ServerTls } from './start.js';
