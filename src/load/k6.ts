/**
 * `load --export k6 FILE`: the scenario as a k6 script, to run on k6's own (and distributed)
 * runners past what one machine sends. The script carries the scenario's templates and data, the
 * same flow, the same checks (named by their requirement ids) and the run's model as a k6
 * executor; thresholds where k6 has them. Credentials never enter the file: the script reads them
 * from the environment when k6 runs it.
 */
import type { HttpClientConfig } from '../http/client.js';
import { K6_CHECK_FUNCTIONS } from './checks.js';
import type { LoadBounds, LoadModel } from './model.js';
import { K6_FLOW_FUNCTIONS, type K6Script, type Scenario } from './scenario.js';
import { K6_TEMPLATE_FUNCTIONS } from './templates.js';
import { k6Thresholds, type Threshold } from './thresholds.js';

export interface K6ExportOptions {
  scenario: Scenario<unknown>;
  script: K6Script;
  baseUrl: string;
  model: LoadModel;
  bounds: LoadBounds;
  facilities: number;
  invalidShare: number;
  thresholds: readonly Threshold[];
  http: HttpClientConfig;
  version: string;
}

/** An environment variable name for a configured header: `X-Api-Key` -> `SUT_HEADER_X_API_KEY`. */
export function headerVariable(name: string): string {
  return `SUT_HEADER_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

function seconds(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

/** The run's model and bounds as one k6 scenario. */
function executor(o: K6ExportOptions): Record<string, unknown> {
  const { model, bounds, script } = o;
  const duration = bounds.durationMs ?? 30_000;
  if (model.type === 'open') {
    // k6 counts iterations (flows): the request rate becomes a flow rate.
    const rate = Math.max(1, Math.round(model.rate / script.requestsPerFlow));
    const base = { preAllocatedVUs: Math.min(model.maxInFlight, Math.max(10, rate)), maxVUs: model.maxInFlight, timeUnit: '1s' };
    if (bounds.rampMs > 0) {
      return {
        executor: 'ramping-arrival-rate',
        startRate: 0,
        ...base,
        stages: [
          { target: rate, duration: seconds(bounds.rampMs) },
          { target: rate, duration: seconds(Math.max(1000, duration - bounds.rampMs)) },
        ],
      };
    }
    return { executor: 'constant-arrival-rate', rate, duration: seconds(duration), ...base };
  }
  if (bounds.requests !== undefined) {
    return {
      executor: 'shared-iterations',
      vus: model.concurrency,
      iterations: Math.max(1, Math.ceil(bounds.requests / script.requestsPerFlow)),
      maxDuration: seconds(bounds.durationMs ?? 3_600_000),
    };
  }
  if (bounds.rampMs > 0) {
    return {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { target: model.concurrency, duration: seconds(bounds.rampMs) },
        { target: model.concurrency, duration: seconds(Math.max(1000, duration - bounds.rampMs)) },
      ],
    };
  }
  return { executor: 'constant-vus', vus: model.concurrency, duration: seconds(duration) };
}

export function k6Script(o: K6ExportOptions): string {
  const { thresholds, unmapped } = k6Thresholds(o.thresholds);
  const tls = o.http.tls;
  const options: Record<string, unknown> = {
    scenarios: { [o.scenario.id]: executor(o) },
    thresholds,
    ...(tls?.insecure ? { insecureSkipTLSVerify: true } : {}),
  };
  const headers = Object.keys(o.http.headers ?? {});
  const json = (v: unknown) => JSON.stringify(v, null, 1);
  const lines = [
    `// ${o.scenario.title}`,
    `// k6 script written by measure-conformance ${o.version} (load --scenario ${o.scenario.id} --export k6).`,
    '// The same flows, templates and checks as `measure-conformance load`; each check is named by the',
    '// requirement ids it decides. Run it with `k6 run FILE` or on k6 Cloud / the k6 operator.',
    `// Environment: SUT_BASE_URL (default below), SUT_AUTHORIZATION (the whole Authorization header value)${headers.length ? `, ${headers.map(headerVariable).join(', ')}` : ''},`,
    '// RUN_ID (the run tag of what the script writes; default k6-<start time>).',
    ...(tls?.cert !== undefined ? ['// The SUT demands a client certificate: SUT_CERT_FILE and SUT_KEY_FILE name its PEM files.'] : []),
    ...(tls?.ca !== undefined || tls?.caFile !== undefined ? ["// The SUT's CA is not the system's: give k6 the CA (e.g. SSL_CERT_FILE) when you run the script."] : []),
    ...(unmapped.length ? [`// Thresholds k6 cannot express: ${unmapped.join(', ')}.`] : []),
    '// What the script writes carries the tag urn:measure-conformance:run|RUN_ID; it does not delete it.',
    "import http from 'k6/http';",
    "import { check, sleep } from 'k6';",
    "import exec from 'k6/execution';",
    '',
    `export const options = ${json(options)};`,
    ...(tls?.cert !== undefined ? ['options.tlsAuth = [{ cert: open(__ENV.SUT_CERT_FILE), key: open(__ENV.SUT_KEY_FILE) }];'] : []),
    '',
    `const BASE = (__ENV.SUT_BASE_URL || ${JSON.stringify(o.baseUrl)}).replace(/\\/?$/, '/');`,
    "const RUN = __ENV.RUN_ID || ('k6-' + Date.now().toString(36));",
    "const RUN_HEX = /[0-9a-f]{8}$/.test(RUN) ? RUN.slice(-8) : ('00000000' + (Date.now() % 0x100000000).toString(16)).slice(-8);",
    `const FACILITIES = ${o.facilities};`,
    `const INVALID_SHARE = ${o.invalidShare};`,
    "const HEADERS = { Accept: 'application/fhir+json' };",
    'if (__ENV.SUT_AUTHORIZATION) HEADERS.Authorization = __ENV.SUT_AUTHORIZATION;',
    ...headers.map((h) => `if (__ENV.${headerVariable(h)}) HEADERS[${JSON.stringify(h)}] = __ENV.${headerVariable(h)};`),
    `const DATA = ${JSON.stringify(o.script.data)};`,
    K6_TEMPLATE_FUNCTIONS,
    K6_CHECK_FUNCTIONS,
    K6_FLOW_FUNCTIONS,
    K6_SEND,
    o.script.flow,
    'export default function () {',
    '  flow(exec.scenario.iterationInTest);',
    '}',
    '',
  ];
  return lines.join('\n');
}

/** One request as the load command sends it: the SUT's headers to its own origin only, interim 202/303 left unjudged. */
const K6_SEND = String.raw`
let counter = 0;
function sequence() { return exec.vu.idInTest * 0x10000000 + counter++; }
function uuid() { return RUN_HEX + '-0000-4000-8000-' + ('000000000000' + sequence().toString(16)).slice(-12); }
function header(r, name) {
  for (const k of Object.keys(r.headers || {})) if (k.toLowerCase() === name) return r.headers[k];
  return undefined;
}
function send(step, what, method, url, body, checks, interim) {
  const target = /^https?:/.test(url) ? url : BASE + url;
  const own = target.indexOf(BASE) === 0;
  const headers = Object.assign({}, own ? HEADERS : { Accept: 'application/fhir+json' }, body === null || body === undefined ? {} : { 'Content-Type': 'application/fhir+json' });
  const res = http.request(method, target, body === undefined ? null : body, { headers: headers, tags: { step: step } });
  if (!(interim && (res.status === 202 || res.status === 303))) judge(res, what, res.status === 0 ? [{ kind: 'status', allowed: [], expected: 'an answer', requirements: checks[0].requirements }] : checks);
  return res;
}
`;
