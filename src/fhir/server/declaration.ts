/**
 * What a simulator declares to get a FHIR server: resource types and their interactions, search
 * parameters, operations, profiles, validation policy and fault modes. The server core serves
 * exactly this, and generates its CapabilityStatement from it.
 */
import type { Parameters, Resource } from 'fhir/r4.js';
import type { ActiveFaults, FaultCatalogue } from '../faults.js';
import type { FhirFormat } from '../format.js';
import type { SearchParamDef } from '../search/search-param-def.js';
import type { ResourceStore } from '../store/resource-store.js';
import type { CoreFault } from './faults.js';

export type Interaction = 'read' | 'vread' | 'update' | 'delete' | 'history-instance' | 'create' | 'search-type';

export interface ResourceDeclaration {
  type: string;
  interactions: Interaction[];
  /** Names of the search parameters served for this type; their definitions come from `searchParamDefs`. */
  searchParams: string[];
  /** The base profile every instance is validated against on write (when `validateOnWrite.profiles`). */
  profile?: string;
  supportedProfiles?: string[];
  /** PUT of an id that does not exist creates it (FHIR "update as create"). */
  updateCreate?: boolean;
  /** PUT [base]/Type?search updates the single match (or creates when none and `updateCreate`). */
  conditionalUpdate?: boolean;
  /** `_include` values listed in the CapabilityStatement, e.g. `*`. */
  searchInclude?: string[];
}

export type OperationLevel = 'system' | 'type' | 'instance';

/** `Id`: the fault ids of the server's own catalogue, which its handlers may ask about besides the core's. */
export interface OperationRequest<Id extends string = never> {
  level: OperationLevel;
  method: 'GET' | 'POST';
  /** Resource type in the URL (type and instance level). */
  resourceType?: string;
  /** Id in the URL (instance level). */
  id?: string;
  /** The instance the operation runs on (instance level), read from the store. */
  resource?: Resource;
  /**
   * Input parameters: the POSTed Parameters resource, or query parameters as `valueString`
   * parameters (also merged in on POST), so a handler reads one shape whatever the method.
   */
  params: Parameters;
  /** The decoded query string, in order, repeated names kept. */
  query: Array<[string, string]>;
  /** A POSTed body: its text and media type, and the parsed resource when it was FHIR. */
  body?: { text: string; contentType: string; resource?: Resource };
  /** The format the response should use, from `_format`/`Accept`. */
  format: FhirFormat;
  headers: Record<string, string>;
  store: ResourceStore;
  baseUrl: string;
  faults: ActiveFaultsOf<Id>;
}

export type OperationResult =
  /** A FHIR resource, serialized in the negotiated format. */
  | { kind: 'resource'; resource: Resource; status?: number; headers?: Record<string, string> }
  /** A non-FHIR body (e.g. text/csv) sent as is with its content type. */
  | { kind: 'content'; body: string | Buffer; contentType: string; status?: number; headers?: Record<string, string> }
  /** A status with headers and no body (e.g. 202 Accepted + Content-Location, 303 See Other). */
  | { kind: 'status'; status: number; headers?: Record<string, string> };

export interface OperationDeclaration<Id extends string = never> {
  /** The operation name without `$`. */
  name: string;
  level: OperationLevel[];
  /** Resource types it is served on (type and instance level). */
  resources?: string[];
  /** Canonical URL of its OperationDefinition. */
  definition?: string;
  /** An operation that changes state is POST only; one that does not may also be called with GET. */
  affectsState: boolean;
  /** Non-FHIR media types accepted as a raw request body, e.g. `text/csv`. */
  acceptsMediaTypes?: string[];
  /** Non-FHIR media types it answers in, e.g. `text/csv`: an Accept naming only these is not a 406. */
  producesMediaTypes?: string[];
  handler(request: OperationRequest<Id>): Promise<OperationResult>;
}

export interface ValidationPolicy {
  /** Validate base R4 structure and invariants on create/update (400 on failure). */
  base: boolean;
  /** Validate the declared and claimed profiles on create/update (422 on failure). */
  profiles: boolean;
}

/** `Id`: the fault ids of the declaration's own catalogue (`never` when it adds none to the core's). */
export interface ServerDeclaration<Id extends string = never> {
  /** Computable name, used as CapabilityStatement.name. */
  name: string;
  title: string;
  /** Canonical base for the generated CapabilityStatement's url: `<canonicalBase>/CapabilityStatement/<name>`. */
  canonicalBase: string;
  fhirVersion: '4.0.1';
  resources: ResourceDeclaration[];
  searchParamDefs: SearchParamDef[];
  /**
   * SearchParameter canonical URLs for the CapabilityStatement, keyed `Type.name` or `name`, for
   * parameters that are not R4 core ones (e.g. an IG's `definition-text`).
   */
  searchParamUrls?: Record<string, string>;
  operations: OperationDeclaration<Id>[];
  validateOnWrite: ValidationPolicy;
  /** CapabilityStatement URLs this server claims to instantiate. */
  instantiates?: string[];
  /** Simulator-specific fault modes, in addition to the core ones (see coreFaults). */
  faults?: FaultCatalogue<Id>;
  /**
   * Paging links are opaque page tokens on their own path (`[base]/_page/<token>`), as many
   * servers' are, instead of the search URL with `_offset`: a client that does not follow a link
   * as given (rebuilding it from parameters) fetches the first page again, visibly.
   */
  opaquePaging?: boolean;
}

/** The active faults a server's own code sees: the core's and its declaration's. */
export type ActiveFaultsOf<Id extends string> = ActiveFaults<CoreFault | Id>;
