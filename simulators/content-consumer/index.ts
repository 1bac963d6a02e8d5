/**
 * Reference Content Consumer for IHE mADX Send Aggregate Report [QRPH-58] and IHE RPC Send
 * Concordance Report [LAB-90]: one configuration of the server core per profile. It takes a
 * MeasureReport by update (PUT, normative for mADX) and create (POST, normative for RPC) in JSON
 * and XML, and (mADX) a collection Bundle POSTed to [base] or [base]/Bundle; validates base R4
 * (400) and the profile's rules (422, every issue fatal and locating the report); answers
 * 200/201, or asynchronously (202 + status URL, or 303) when asked; 501 for DELETE and PATCH.
 * mADX reports are held to the text they declare by a versioned canonical in meta.profile, else to
 * the Consumer's own (its `ruleSet`, default the 3.0.0-comment text), which its CapabilityStatement
 * names. Given a bearer token it refuses a request without it (401), as both profiles' mutual
 * authentication asks.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { MADX_CONTENT_CONSUMER, MADX_VALIDATE_MESSAGE } from '../../ig/madx/capabilities.js';
import { DEFAULT_MADX_RULE_SET, MADX_VERSIONS, madxProfileUrl, registerMadxProfiles, type MadxRuleSet } from '../../ig/madx/profiles.js';
import { declaredByReport } from '../../ig/madx/rule-set.js';
import { RPC_CONTENT_CONSUMER } from '../../ig/rpc/capabilities.js';
import { RPC_MEASURE_REPORT, registerRpcProfiles } from '../../ig/rpc/profiles.js';
import { FhirError, toOperationOutcome, type Issue } from '../../src/fhir/errors.js';
import { parseResource, serializeResource } from '../../src/fhir/format.js';
import { contentTypeOf, requestBodyFormat } from '../../src/fhir/negotiation.js';
import type { RunningFhirServer, ServerDeclaration, ServerHooks } from '../../src/fhir/server/index.js';
import { coreFaults, startFhirServer } from '../../src/fhir/server/index.js';
import { activateFaults } from '../../src/fhir/faults.js';
import { searchParamsFor } from '../../src/fhir/search/search-param-def.js';
import { ResourceStore } from '../../src/fhir/store/resource-store.js';
import type { Simulator, SimulatorStartOptions } from '../simulator.js';
import { asyncAnswers, type AsyncMode } from './async.js';
import { processCollection } from './collection.js';
import { contentConsumerFaults, type ContentConsumerFault, type ContentConsumerFaults } from './faults.js';
import { reportProblems, type ConsumerProfile, type RuleSetProfile } from './validation.js';
import { measureCodeIssues } from '../../ig/madx/measure-codes.js';
import { projectMeasures, validateOptionData } from './reference-data.js';
import { validateOptionIssues } from './validate-option.js';
import { serveOwnStore } from '../own-store.js';

registerMadxProfiles();
registerRpcProfiles();

export type ContentConsumerProfile = 'madx' | 'rpc';

export interface ContentConsumerOptions extends SimulatorStartOptions {
  profile?: ContentConsumerProfile;
  /** mADX: the text a report declaring none is held to (digest A9); default the 3.0.0-comment text. */
  ruleSet?: MadxRuleSet;
  /** Answer submissions asynchronously; default false (synchronous). */
  async?: AsyncMode | false;
  /** Client-chosen ids (PUT of a new id creates it); false answers such a PUT 405. Default true. */
  clientIds?: boolean;
  /**
   * mADX only: the Validate mADX Message option (QRPH 1:6.2), claimed in the CapabilityStatement.
   * Reports are then held to the Measure's value sets and the mCSD directory as well. Default false.
   */
  validateMessage?: boolean;
}

const NOT_IMPLEMENTED = new Set(['DELETE', 'PATCH']);

/**
 * A report's codes are held to the project Measure it names (a Measure the Consumer does not hold
 * leaves them unchecked, unless the Validate option refuses it), and with the Validate option to
 * the grouped actors' terminology and directory.
 */
function businessRules(profile: ContentConsumerProfile, faults: ContentConsumerFaults, validateMessage: boolean): (report: MeasureReport) => Issue[] {
  const rule = profile === 'rpc' ? 'RPC-CRE-007' : 'MADX-MR-013';
  const option = validateMessage ? validateOptionData() : undefined;
  const checks = { terminology: !faults.has('ignore-terminology'), subject: !faults.has('ignore-unknown-subject') };
  return (report) => {
    const measure = projectMeasures().get(report.measure);
    const codes = measure && !faults.has('ignore-measure-codes') ? measureCodeIssues(report, measure, rule) : [];
    return [...codes, ...(option ? validateOptionIssues(report, measure, option, checks) : [])];
  };
}

function madxRules(ruleSet: MadxRuleSet, why: string): RuleSetProfile {
  return { url: madxProfileUrl(ruleSet), ruleSet: `madx-${ruleSet} (${MADX_VERSIONS[ruleSet]}, ${why})` };
}

function consumerProfile(profile: ContentConsumerProfile, ruleSet: MadxRuleSet, rules: ConsumerProfile['businessRules']): ConsumerProfile {
  const own = ruleSet === DEFAULT_MADX_RULE_SET ? 'the default' : "this Consumer's";
  const named: ConsumerProfile =
    profile === 'rpc'
      ? { url: RPC_MEASURE_REPORT, ruleSet: 'rpc-lab-90-text' }
      : {
          ...madxRules(ruleSet, own),
          declared: (report) => {
            const declared = declaredByReport(report);
            return declared && declared !== ruleSet ? madxRules(declared, 'declared in meta.profile') : undefined;
          },
        };
  return { ...named, ...(rules ? { businessRules: rules } : {}) };
}

export function contentConsumerDeclaration(profile: ContentConsumerProfile, checked: ConsumerProfile, clientIds: boolean, validateMessage = false): ServerDeclaration<ContentConsumerFault> {
  return {
    name: profile === 'rpc' ? 'RpcContentConsumerSimulator' : 'MadxContentConsumerSimulator',
    title: `measure-conformance reference ${profile === 'rpc' ? 'RPC' : 'mADX'} Content Consumer`,
    canonicalBase: 'urn:measure-conformance',
    fhirVersion: '4.0.1',
    instantiates: profile === 'rpc' ? [RPC_CONTENT_CONSUMER] : [MADX_CONTENT_CONSUMER, ...(validateMessage ? [MADX_VALIDATE_MESSAGE] : [])],
    resources: [
      {
        type: 'MeasureReport',
        interactions: ['create', 'update', 'read', 'vread', 'search-type'],
        searchParams: ['_id'],
        supportedProfiles: [checked.url],
        updateCreate: clientIds,
      },
    ],
    searchParamDefs: searchParamsFor(['MeasureReport']).filter((d) => d.name === '_id'),
    operations: [],
    // Profile rules are checked by the hooks, so the 422 can be shaped as QRPH-58 asks.
    validateOnWrite: { base: true, profiles: false },
    faults: contentConsumerFaults,
  };
}

function singleRejection(issues: Issue[], ruleSet: string): FhirError {
  const located = issues.map((i): Issue => ({ ...i, severity: 'fatal', message: `${i.message} (HTTP 422; rule set ${ruleSet})` }));
  const summary: Issue = { severity: 'fatal', code: 'business-rule', message: `the MeasureReport does not follow the rule set ${ruleSet} (HTTP 422)`, expression: 'MeasureReport' };
  return new FhirError(422, [summary, ...located]);
}

function hooks(checked: ConsumerProfile, bundles: boolean): ServerHooks<ContentConsumerFault> {
  return {
    beforeWrite(event) {
      if (event.faults.has('accept-invalid') || event.faults.has('skip-profile-validation')) return undefined;
      const problems = reportProblems(event.resource, checked, false);
      if (problems) throw singleRejection(problems.issues, problems.ruleSet);
      return undefined;
    },
    ...(bundles
      ? {
          async processBundle(event) {
            return processCollection(event.bundle, event.store, checked, event.faults);
          },
        }
      : {}),
  };
}

function sendOutcome(reply: FastifyReply, status: number, issues: Issue[]): FastifyReply {
  return reply
    .code(status)
    .header('content-type', contentTypeOf('json'))
    .send(JSON.stringify(toOperationOutcome(issues)));
}

/** Resource types a request may name here: the one served, and the [base]/Bundle form. */
const SERVED_TYPES = new Set(['MeasureReport', 'Bundle']);

/** The `ignore-body-id` fault: the body of PUT MeasureReport/[id] gets the URL id before the core sees it. */
function withUrlId(request: FastifyRequest): void {
  const id = /^\/MeasureReport\/([^/]+)$/.exec(request.url.split('?')[0]!)?.[1];
  if (request.method !== 'PUT' || !id || typeof request.body !== 'string') return;
  try {
    const format = requestBodyFormat(request.headers['content-type']);
    const resource = parseResource(request.body, format);
    request.body = serializeResource({ ...resource, id: decodeURIComponent(id) }, format);
  } catch {
    // A body that does not parse is left for the core to refuse.
  }
}

/** The `expand-entities` fault: an XML body's DTD is read and its internal entities expanded, as a careless XML parser does. */
function expandEntities(request: FastifyRequest): void {
  if (typeof request.body !== 'string' || !/xml/i.test(String(request.headers['content-type'] ?? ''))) return;
  const text = request.body;
  const doctype = /<!DOCTYPE[^[>]*\[([\s\S]*?)\]>/i.exec(text);
  if (!doctype) return;
  let body = text.replace(doctype[0], '');
  for (const [, name, value] of doctype[1]!.matchAll(/<!ENTITY\s+([\w.-]+)\s+"([^"]*)"\s*>/g)) body = body.replaceAll(`&${name};`, value!);
  request.body = body;
}

/** Request handling the core does not do: 501, the [base]/Bundle form, the success-code and request faults. */
function configure(checked: ConsumerProfile, store: ResourceStore, faults: ContentConsumerFaults, options: { bundles: boolean; async: AsyncMode | false; refuseAll?: 401 | 503 }) {
  const path = (request: FastifyRequest) => request.url.split('?')[0]!.replace(/\/+$/, '');
  const isSubmission = (request: FastifyRequest) => {
    const p = path(request);
    return (request.method === 'PUT' || request.method === 'POST') && (p === '' || p === '/Bundle' || p.startsWith('/MeasureReport'));
  };
  return (app: FastifyInstance) => {
    app.addHook('preHandler', async (request, reply) => {
      if (options.refuseAll === 401 && isSubmission(request)) {
        reply.header('www-authenticate', 'Bearer realm="measure-conformance"');
        return sendOutcome(reply, 401, [{ severity: 'error', code: 'login', message: 'this Content Consumer refuses the submission: not authenticated' }]);
      }
      if (options.refuseAll === 503 && isSubmission(request)) {
        reply.header('retry-after', '1');
        return sendOutcome(reply, 503, [{ severity: 'error', code: 'transient', message: 'this Content Consumer is unavailable; try again later' }]);
      }
      const type = path(request).split('/')[1] ?? '';
      if (faults.has('unserved-type-400') && /^[A-Z]/.test(type) && !SERVED_TYPES.has(type)) {
        return sendOutcome(reply, 400, [{ severity: 'error', code: 'invalid', message: `'${type}' is not a resource this Content Consumer takes` }]);
      }
      if (faults.has('xml-bodies-400') && isSubmission(request) && /xml/i.test(String(request.headers['content-type'] ?? ''))) {
        return sendOutcome(reply, 400, [{ severity: 'error', code: 'structure', message: 'the body could not be read' }]);
      }
      if (faults.has('ignore-body-id')) withUrlId(request);
      if (faults.has('expand-entities')) expandEntities(request);
      if (NOT_IMPLEMENTED.has(request.method)) {
        if (faults.has('no-501')) return sendOutcome(reply, 200, [{ severity: 'information', code: 'informational', message: `${request.method} done` }]);
        return sendOutcome(reply, 501, [{ severity: 'error', code: 'not-supported', message: `${request.method} is not implemented by this Content Consumer` }]);
      }
      if (!options.bundles || request.method !== 'POST' || path(request) !== '/Bundle') return undefined;
      try {
        const format = requestBodyFormat(request.headers['content-type']);
        const text = typeof request.body === 'string' ? request.body : '';
        const bundle = parseResource(text, format);
        if (bundle.resourceType !== 'Bundle') throw FhirError.of(400, 'invalid', `[base]/Bundle takes a Bundle, not a ${bundle.resourceType}`, 'resourceType');
        const { resource, status } = processCollection(bundle as Bundle, store, checked, faults);
        return reply.code(status).header('content-type', contentTypeOf(format)).send(serializeResource(resource, format));
      } catch (err) {
        if (err instanceof FhirError) return sendOutcome(reply, err.status, err.issues);
        throw err;
      }
    });
    if (faults.has('auth-403')) {
      // The core refuses a missing or wrong credential with 401; this fault says 403 instead.
      app.addHook('onSend', async (_request, reply, payload) => {
        if (reply.statusCode !== 401) return payload;
        reply.code(403).removeHeader('www-authenticate');
        return typeof payload === 'string' ? payload.replace('"code":"login"', '"code":"forbidden"') : payload;
      });
    }
    if (faults.has('wrong-success-code')) {
      app.addHook('onSend', async (request, reply, payload) => {
        if (isSubmission(request) && (reply.statusCode === 200 || reply.statusCode === 201)) reply.code(204);
        return reply.statusCode === 204 ? '' : payload;
      });
    }
    asyncAnswers(app, options.async, faults, isSubmission);
  };
}

export async function startContentConsumer(options: ContentConsumerOptions = {}): Promise<RunningFhirServer> {
  const profile = options.profile ?? 'madx';
  const faults = activateFaults(options.faults ?? [], coreFaults, contentConsumerFaults);
  const validateMessage = profile === 'madx' && options.validateMessage === true;
  const checked = consumerProfile(profile, options.ruleSet ?? DEFAULT_MADX_RULE_SET, businessRules(profile, faults, validateMessage));
  const declaration = contentConsumerDeclaration(profile, checked, options.clientIds ?? true, validateMessage);
  const bundles = profile === 'madx';
  const store = ResourceStore.open({ path: options.storePath ?? ':memory:', searchParams: declaration.searchParamDefs });
  const auth = faults.has('auth-ignored') ? undefined : options.auth;
  return serveOwnStore(
    store,
    () => [],
    () =>
      startFhirServer({
        declaration,
        store,
        hooks: hooks(checked, bundles),
        faults: faults.ids,
        ...(options.host ? { host: options.host } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.tls && !faults.has('plain-http') ? { tls: options.tls } : {}),
        ...(auth ? { auth } : {}),
        ...(options.onExchange ? { onExchange: options.onExchange } : {}),
        configure: configure(checked, store, faults, { bundles, async: options.async ?? false, ...(options.refuseAll ? { refuseAll: options.refuseAll } : {}) }),
      }),
  );
}

const faultIds = () => [...coreFaults.modes, ...contentConsumerFaults.modes].map((f) => f.id);

/** mADX Content Consumer (QRPH-58), the 3.0.0-comment rules unless told otherwise; plays `MadxContentConsumer`. */
export const madxContentConsumer: Simulator = {
  id: 'madx-content-consumer',
  title: 'measure-conformance reference mADX Content Consumer',
  plays: ['MadxContentConsumer'],
  faultIds,
  requiresHttps: true,
  requiresAuthentication: true,
  start: (options) => startContentConsumer({ ...options, profile: 'madx' }),
};

/** RPC Content Consumer (LAB-90); plays `RpcContentConsumer`. */
export const rpcContentConsumer: Simulator = {
  id: 'rpc-content-consumer',
  title: 'measure-conformance reference RPC Content Consumer',
  plays: ['RpcContentConsumer'],
  faultIds,
  requiresHttps: true,
  requiresAuthentication: true,
  start: (options) => startContentConsumer({ ...options, profile: 'rpc' }),
};
