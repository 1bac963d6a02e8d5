/** The options of the server core, its hooks, and what a route knows about the request in hand. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Bundle, Resource } from 'fhir/r4.js';
import type { HttpExchange } from '../../http/exchange.js';
import type { FhirFormat } from '../format.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { ActiveFaultsOf, ServerDeclaration } from './declaration.js';
import type { CoreFaults } from './faults.js';

/**
 * What a hook learns about the response it is shaping. `Id` (on every event and on ServerHooks): the
 * fault ids of the server's own catalogue, which its hooks may ask about besides the core's.
 */
export interface ResponseEvent<Id extends string = never> {
  method: string;
  /** Path segments below the base, e.g. ['MeasureReport', '1']. */
  segments: string[];
  format: FhirFormat;
  faults: ActiveFaultsOf<Id>;
}

/** What a hook learns about a create or update. */
export interface WriteEvent<Id extends string = never> {
  interaction: 'create' | 'update';
  resource: Resource;
  store: ResourceStore;
  faults: ActiveFaultsOf<Id>;
  headers: Record<string, string | string[] | undefined>;
}

/** What a hook learns about a Bundle POSTed to the server base (a batch or transaction). */
export interface BundleEvent<Id extends string = never> {
  bundle: Bundle;
  store: ResourceStore;
  faults: ActiveFaultsOf<Id>;
  headers: Record<string, string | string[] | undefined>;
  baseUrl: string;
}

/** Where a simulator adds its own behaviour and fault modes without copying the core. */
export interface ServerHooks<Id extends string = never> {
  /** Before a create or update is stored (after validation): throw a FhirError to refuse it, or return the resource to store instead. */
  beforeWrite?(event: WriteEvent<Id>): Resource | undefined | Promise<Resource | undefined>;
  /** After a create or update was stored. */
  afterWrite?(event: WriteEvent<Id> & { stored: Resource; created: boolean }): void | Promise<void>;
  /**
   * POST [base] with a Bundle (R4 http.html#transaction), which the core does not process itself:
   * without this hook it answers 405. Returns the response (e.g. a batch-response Bundle); throw a
   * FhirError to refuse the whole Bundle.
   */
  processBundle?(event: BundleEvent<Id>): Promise<{ resource: Resource; status?: number }>;
  /** The resource about to be serialized (read, search Bundle, write representation, operation result, error OperationOutcome); return a replacement to change it. */
  beforeSend?(event: ResponseEvent<Id>, resource: Resource): Resource;
  /** The serialized FHIR body about to be sent; return a replacement to corrupt or rewrite it. */
  onSendBody?(event: ResponseEvent<Id>, body: string): string;
}

/** `Id`: the fault ids of the declaration's own catalogue, so its hooks see them typed. */
export interface FhirServerOptions<Id extends string = never> {
  declaration: ServerDeclaration<Id>;
  store: ResourceStore;
  /** Active fault mode ids as text (config, command line): core ones (coreFaults) or the declaration's own; an unknown one is refused. */
  faults?: readonly string[];
  /** When set, every request but GET metadata (unless `protectMetadata`) needs `Authorization: Bearer <token>`. */
  auth?: { bearerToken?: string; protectMetadata?: boolean };
  /** Largest request body in bytes (413 above it); default 10 MiB. */
  bodyLimit?: number;
  /** Base URL as clients see it; default from the request's protocol, Host and the plugin prefix. */
  publicBaseUrl?: string;
  /** Page size when a search has no `_count`; default 100 (SANER-QM-PG-009). */
  defaultCount?: number;
  hooks?: ServerHooks<Id>;
  onExchange?: (exchange: HttpExchange) => void;
  /** Bytes of each body kept in an exchange; default 256 KiB. */
  captureLimit?: number;
  /**
   * A simulator's own hooks and routes, added inside the server's context so its routes (e.g. a
   * status URL) are recorded, authorized and answered like the FHIR ones, and its hooks run first.
   */
  configure?: (app: FastifyInstance) => void;
}

/**
 * Everything a route needs about the request in hand. The core serves any declaration, so it holds
 * the declaration's own fault ids as plain text (`<string>`) and asks the active set only its own.
 */
export interface ServerContext {
  options: FhirServerOptions<string>;
  declaration: ServerDeclaration<string>;
  store: ResourceStore;
  faults: CoreFaults;
  hooks: ServerHooks<string>;
  request: FastifyRequest;
  reply: FastifyReply;
  method: string;
  segments: string[];
  query: Array<[string, string]>;
  headers: Record<string, string | string[] | undefined>;
  baseUrl: string;
  /** The body as UTF-8 text, when one was sent. */
  body: string | undefined;
  format: FhirFormat;
  pretty: boolean;
}
