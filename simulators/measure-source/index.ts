/**
 * Reference Measure Source (SANER Query Measure, server side): serves Measure, MeasureReport,
 * Location and Organization for read and search with every parameter of the transaction, and the
 * CSV Option's `$read-csv` and `$search-csv`, seeded from the project's SANER fixtures.
 */
import type { FastifyInstance } from 'fastify';
import { toOperationOutcome } from '../../src/fhir/errors.js';
import { serializeResource, type FhirFormat } from '../../src/fhir/format.js';
import { acceptedRanges, contentTypeOf, formatFromAccept, formatOfMediaType } from '../../src/fhir/negotiation.js';
import type { ServerDeclaration } from '../../src/fhir/server/index.js';
import { coreFaults, startFhirServer } from '../../src/fhir/server/index.js';
import { activateFaults } from '../../src/fhir/faults.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import { sanerSearchParamsFor } from '../../ig/saner/search-params.js';
import { fixtureResources } from '../fixtures.js';
import { serveOwnStore } from '../own-store.js';
import type { Simulator } from '../simulator.js';
import { readCsv, searchCsv } from './csv-operations.js';
import { measureSourceFaults, type MeasureSourceFault } from './faults.js';
import { measureSourceHooks } from './hooks.js';
import { PUBLIC_HEALTH_MEASURE, PUBLIC_HEALTH_MEASURE_REPORT } from '../../ig/saner/profiles.js';
import { SEARCH_PARAMETER_CODE, SEARCH_PARAMETER_DEFINITION_TEXT } from '../../ig/saner/canonicals.js';
import { MEASURE_SOURCE_QM_CSV_PULL, MEASURE_SOURCE_QM_PULL } from '../../ig/saner/capabilities.js';

const TYPES = ['Measure', 'MeasureReport', 'Location', 'Organization'];
/** Held for `code:in` (the value set) and `Measure?_include=*` (the library), not served as types. */
const SUPPORTING_TYPES = ['ValueSet', 'Library'];
const READ_SEARCH: ServerDeclaration['resources'][number]['interactions'] = ['read', 'vread', 'search-type'];

export const declaration: ServerDeclaration<MeasureSourceFault> = {
  name: 'MeasureSourceSimulator',
  title: 'measure-conformance reference Measure Source',
  canonicalBase: 'urn:measure-conformance',
  fhirVersion: '4.0.1',
  resources: [
    {
      type: 'MeasureReport',
      interactions: READ_SEARCH,
      searchParams: ['_id', '_lastUpdated', 'measure', 'measure.title', 'date', 'period', 'subject', 'subject:identifier', 'subject:Location.near', 'reporter', 'reporter:identifier', 'status'],
      searchInclude: ['*'],
      supportedProfiles: [PUBLIC_HEALTH_MEASURE_REPORT],
    },
    {
      type: 'Measure',
      interactions: READ_SEARCH,
      searchParams: ['_id', '_lastUpdated', 'url', 'title', '_text', '_content', 'definition-text', 'code', 'code:in'],
      searchInclude: ['*'],
      supportedProfiles: [PUBLIC_HEALTH_MEASURE],
    },
    { type: 'Location', interactions: READ_SEARCH, searchParams: ['_id', 'name', 'identifier', 'near'], searchInclude: ['*'] },
    { type: 'Organization', interactions: READ_SEARCH, searchParams: ['_id', 'name', 'identifier'], searchInclude: ['*'] },
  ],
  searchParamDefs: sanerSearchParamsFor([...TYPES, ...SUPPORTING_TYPES]),
  searchParamUrls: {
    'Measure.definition-text': SEARCH_PARAMETER_DEFINITION_TEXT,
    'Measure.code': SEARCH_PARAMETER_CODE,
    'Measure.code:in': SEARCH_PARAMETER_CODE,
  },
  operations: [readCsv, searchCsv],
  opaquePaging: true,
  validateOnWrite: { base: true, profiles: true },
  instantiates: [MEASURE_SOURCE_QM_PULL, MEASURE_SOURCE_QM_CSV_PULL],
  faults: measureSourceFaults,
};

/** The resources the simulator starts with: the project's SANER fixtures. */
export function seedResources() {
  return fixtureResources('saner', [...TYPES, ...SUPPORTING_TYPES]);
}

const FHIR_RANGES = new Set(['application/fhir+json', 'application/fhir+xml', '*/*', 'application/*', 'text/csv']);

/** `accept-fhir-types-only`: an Accept of only short or DSTU2 types is refused, whatever `_format` says. */
function refuseLegacyAccept(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const accept = request.headers.accept;
    if (!accept) return;
    if (acceptedRanges(accept).some((r) => FHIR_RANGES.has(r.type)) || formatFromAccept(accept) === undefined) return;
    const outcome = toOperationOutcome([{ severity: 'error', code: 'not-supported', message: `Accept '${accept}' is not supported: use application/fhir+json or application/fhir+xml` }]);
    return reply.code(406).header('content-type', contentTypeOf('json')).send(JSON.stringify(outcome));
  });
}

/**
 * `refuse-format:<f>`: a server serving one format only. A request naming the refused format gets
 * 406; one that leaves the choice open (no Accept, a wildcard) gets the format still served.
 */
function serveOneFormat(app: FastifyInstance, refused: FhirFormat): void {
  const kept: FhirFormat = refused === 'json' ? 'xml' : 'json';
  const specific = (accept: string) =>
    accept
      .split(',')
      .filter((r) => !/^\s*(\*\/\*|application\/\*)/.test(r))
      .join(',');
  app.addHook('onRequest', async (request, reply) => {
    const formatParam = new URL(request.url, 'http://x').searchParams.get('_format') ?? undefined;
    const accept = request.headers.accept ?? '';
    const named = formatParam ? formatOfMediaType(formatParam) : formatFromAccept(specific(accept));
    if (named === refused) {
      const outcome = toOperationOutcome([{ severity: 'error', code: 'not-supported', message: `this server does not serve ${refused.toUpperCase()}; ask for ${contentTypeOf(kept)}` }]);
      return reply.code(406).header('content-type', contentTypeOf(kept)).send(serializeResource(outcome, kept));
    }
    if (!formatParam && named === undefined && (!accept.trim() || formatFromAccept(accept) === refused)) request.headers.accept = contentTypeOf(kept);
  });
}

/** `include-iterate-breaks`: a search asking for recursive includes gets a bare 500. */
function breakOnIterate(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!/_(?:rev)?include(?::|%3A)iterate/i.test(request.url)) return;
    return reply.code(500).header('content-type', 'text/plain').send('internal error');
  });
}

export const measureSource: Simulator = {
  id: 'measure-source',
  title: declaration.title,
  plays: ['QueryMeasureSource', 'FhirServer'],
  faultIds: () => [...coreFaults.modes, ...measureSourceFaults.modes].map((f) => f.id),
  async start(options = {}) {
    // Checked before the store opens, so a mistyped fault leaves nothing behind.
    const faults = activateFaults(options.faults ?? [], coreFaults, measureSourceFaults);
    const store = ResourceStore.open({ path: options.storePath ?? ':memory:', searchParams: declaration.searchParamDefs });
    return serveOwnStore(store, seedResources, () =>
      startFhirServer({
        declaration,
        store,
        faults: faults.ids,
        hooks: measureSourceHooks,
        configure: (app) => {
          if (faults.has('accept-fhir-types-only')) refuseLegacyAccept(app);
          if (faults.has('include-iterate-breaks')) breakOnIterate(app);
          for (const format of faults.argumentsOf('refuse-format')) if (format === 'json' || format === 'xml') serveOneFormat(app, format);
        },
        ...(faults.has('default-page-size-10') ? { defaultCount: 10 } : {}),
        ...(options.host ? { host: options.host } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.tls ? { tls: options.tls } : {}),
        ...(options.auth ? { auth: options.auth } : {}),
        ...(options.onExchange ? { onExchange: options.onExchange } : {}),
      }),
    );
  },
};
