/** The options of the server core, its hooks, and what a route knows about the request in hand. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Bundle, Resource } from 'fhir/r4.js';
import type { HttpExchange } from '../../http/exchange.js';
import type { FhirFormat } from '../format.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { ServerDeclaration } from './declaration.js';

/** What a hook learns about the response it is shaping. */
export interface ResponseEvent {
  method: string;
  /** Path segments below the base, e.g. ['MeasureReport', '1']. */
  segments: string[];
  format: FhirFormat;
  faults: ReadonlySet<string>;
}

/** What a hook learns about a create or update. */
export interface WriteEvent {
  interaction: 'create' | 'update';
  resource: Resource;
  store: ResourceStore;
  faults: ReadonlySet<string>;
  headers: Record<string, string | string[] | undefined>;
}

/** What a hook learns about a Bundle POSTed to the server base (a batch or transaction). */
export interface BundleEvent {
  bundle: Bundle;
  store: ResourceStore;
  faults: ReadonlySet<string>;
  headers: Record<string, string | string[] | undefined>;
  baseUrl: string;
}

/** Where a simulator adds its own behaviour and fault modes without copying the core. */
export interface ServerHooks {
  /** Before a create or update is stored (after validation): throw a FhirError to refuse it, or return the resource to store instead. */
  beforeWrite?(event: WriteEvent): Resource | undefined | Promise<Resource | undefined>;
  /** After a create or update was stored. */
  afterWrite?(event: WriteEvent & { stored: Resource; created: boolean }): void | Promise<void>;
  /**
   * POST [base] with a Bundle (R4 http.html#transaction), which the core does not process itself:
   * without this hook it answers 405. Returns the response (e.g. a batch-response Bundle); throw a
   * FhirError to refuse the whole Bundle.
   */
  processBundle?(event: BundleEvent): Promise<{ resource: Resource; status?: number }>;
  /** The resource about to be serialized (read, search Bundle, write representation, operation result, error OperationOutcome); return a replacement to change it. */
  beforeSend?(event: ResponseEvent, resource: Resource): Resource;
  /** The serialized FHIR body about to be sent; return a replacement to corrupt or rewrite it. */
  onSendBody?(event: ResponseEvent, body: string): string;
}

export interface FhirServerOptions {
  declaration: ServerDeclaration;
  store: ResourceStore;
  /** Active fault mode ids: core ones (coreFaults) or the declaration's own. */
  faults?: string[];
  /** When set, every request but GET metadata (unless `protectMetadata`) needs `Authorization: Bearer <token>`. */
  auth?: { bearerToken?: string; protectMetadata?: boolean };
  /** Largest request body in bytes (413 above it); default 10 MiB. */
  bodyLimit?: number;
  /** Base URL as clients see it; default from the request's protocol, Host and the plugin prefix. */
  publicBaseUrl?: string;
  /** Page size when a search has no `_count`; default 100 (SANER-QM-PG-009). */
  defaultCount?: number;
  hooks?: ServerHooks;
  onExchange?: (exchange: HttpExchange) => void;
  /** Bytes of each body kept in an exchange; default 256 KiB. */
  captureLimit?: number;
  /**
   * A simulator's own hooks and routes, added inside the server's context so its routes (e.g. a
   * status URL) are recorded, authorized and answered like the FHIR ones, and its hooks run first.
   */
  configure?: (app: FastifyInstance) => void;
}

/** Everything a route needs about the request in hand. */
export interface ServerContext {
  options: FhirServerOptions;
  declaration: ServerDeclaration;
  store: ResourceStore;
  faults: ReadonlySet<string>;
  hooks: ServerHooks;
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
