/**
 * Sends a seeded stream of malformed requests to one simulator over real HTTP and judges every
 * answer: no crash, no 5xx, each rejection one of the statuses its mutation allows with an
 * OperationOutcome body, and the store untouched by anything rejected. Shared by the fuzz test
 * and bench/fuzz.bench.ts, which only differ in what they do with the report.
 */
import type { Bundle, CapabilityStatement, OperationOutcome } from 'fhir/r4.js';
import { Agent, request } from 'undici';
import { parseResource } from '../../src/fhir/format.js';
import { formatOfMediaType } from '../../src/fhir/negotiation.js';
import { DEFAULT_BODY_LIMIT } from '../../src/fhir/server/index.js';
import type { ResourceStore } from '../../src/fhir/store/resource-store.js';
import type { Simulator } from '../../simulators/index.js';
import { FuzzRequestGenerator, loadFuzzMaterial, surfaceOf, type FuzzMaterial, type FuzzRequest } from './fuzz-requests.js';

export interface FuzzFinding {
  problem: string;
  request: string;
  status?: number;
  response?: string;
}

export interface FuzzReport {
  simulator: string;
  tried: number;
  crashes: number;
  serverErrors: number;
  /** Answered 2xx/3xx (mutations that stayed valid, e.g. a lenient search). */
  accepted: number;
  rejected: number;
  /** Requests tried and answers given, per mutation kind. */
  byKind: Record<string, { tried: number; statuses: Record<number, number>; ms: number }>;
  /** The first problems found, each with the request that caused it. */
  findings: FuzzFinding[];
  /** Problems found in all (findings keeps only the first few). */
  problems: number;
}

export interface FuzzRunOptions {
  seed: number;
  count: number;
  largeBodies?: number;
  /** Findings kept in the report; the count of problems is always complete. */
  keepFindings?: number;
}

/** Method, path, content type and the first 200 bytes of the body: enough to replay a failure. */
export function describeRequest(req: FuzzRequest): string {
  const type = req.headers['content-type'] ?? '(no content-type)';
  const head = req.body ? JSON.stringify(req.body.subarray(0, 200).toString('latin1')) : '(no body)';
  return `[${req.kind}] ${req.method} ${req.path.length > 300 ? `${req.path.slice(0, 300)}...` : req.path} ${type} ${req.body ? `${req.body.length} bytes: ${head}` : head}`;
}

/** A cheap summary of everything the store holds; any write changes it. */
function fingerprinter(store: ResourceStore): () => string {
  const resources = store.db.prepare('SELECT count(*) AS n, total(version) AS v, total(deleted) AS d, max(rid) AS m FROM resources');
  const history = store.db.prepare('SELECT count(*) AS n FROM history');
  return () => {
    const r = resources.get() as Record<string, number>;
    const h = history.get() as { n: number };
    return `${r['n']}/${r['v']}/${r['d']}/${r['m']}/${h.n}`;
  };
}

function storedIds(store: ResourceStore): Record<string, string[]> {
  const ids: Record<string, string[]> = {};
  for (const { type, id } of store.db.prepare('SELECT type, id FROM resources WHERE deleted = 0 ORDER BY rid').all() as { type: string; id: string }[]) {
    const ofType = ids[type] ?? [];
    ofType.push(id);
    ids[type] = ofType;
  }
  return ids;
}

/** Why a rejection's body is not an OperationOutcome with an issue, or undefined when it is. */
function outcomeProblem(contentType: string | undefined, text: string): string | undefined {
  const format = contentType ? formatOfMediaType(contentType) : undefined;
  if (!format) return `the rejection's Content-Type ${JSON.stringify(contentType ?? '(none)')} is not FHIR`;
  try {
    const resource = parseResource(text, format);
    // A refused collection Bundle is answered with one OperationOutcome per invalid entry (QRPH-58).
    const outcomes = resource.resourceType === 'Bundle' ? ((resource as Bundle).entry ?? []).map((e) => e.resource) : [resource];
    if (outcomes.length === 0 || outcomes.some((r) => r?.resourceType !== 'OperationOutcome')) {
      return `the rejection body is a ${resource.resourceType}, not an OperationOutcome (nor a Bundle of them)`;
    }
    if (outcomes.some((r) => !(r as OperationOutcome).issue?.length)) return 'an OperationOutcome has no issue';
    return undefined;
  } catch (err) {
    return `the rejection body does not parse: ${(err as Error).message}`;
  }
}

let material: FuzzMaterial | undefined;

export async function fuzzSimulator(simulator: Simulator, options: FuzzRunOptions): Promise<FuzzReport> {
  material ??= loadFuzzMaterial();
  const keep = options.keepFindings ?? 5;
  const report: FuzzReport = { simulator: simulator.id, tried: 0, crashes: 0, serverErrors: 0, accepted: 0, rejected: 0, byKind: {}, findings: [], problems: 0 };
  const found = (finding: FuzzFinding) => {
    report.problems++;
    if (report.findings.length < keep) report.findings.push(finding);
  };
  let current = '(between requests)';
  const onCrash = (err: unknown) => {
    report.crashes++;
    found({ problem: `unhandled ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, request: current });
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  const server = await simulator.start({});
  const agent = new Agent({ connections: 4, headersTimeout: 60_000, bodyTimeout: 60_000 });
  try {
    const send = async (req: FuzzRequest) =>
      request(`${server.url}${req.path}`, {
        method: req.method as 'GET',
        headers: req.headers,
        ...(req.body ? { body: req.body } : {}),
        dispatcher: agent,
      });
    const metadata = await request(`${server.url}/metadata`, { headers: { accept: 'application/fhir+json' }, dispatcher: agent });
    const statement = (await metadata.body.json()) as CapabilityStatement;
    const surface = surfaceOf(statement, storedIds(server.store));
    const generator = new FuzzRequestGenerator(surface, material, {
      seed: options.seed,
      count: options.count,
      largeBodies: options.largeBodies ?? 4,
      bodyLimit: DEFAULT_BODY_LIMIT,
    });

    const fingerprint = fingerprinter(server.store);
    let before = fingerprint();
    for (const req of generator.requests()) {
      report.tried++;
      current = describeRequest(req);
      const kind = report.byKind[req.kind] ?? { tried: 0, statuses: {}, ms: 0 };
      report.byKind[req.kind] = kind;
      const started = performance.now();
      kind.tried++;
      let status: number;
      let text: string;
      let contentType: string | undefined;
      try {
        const res = await send(req);
        status = res.statusCode;
        text = await res.body.text();
        const header = res.headers['content-type'];
        contentType = Array.isArray(header) ? header[0] : header;
      } catch (err) {
        report.crashes++;
        found({ problem: `no answer: ${(err as Error).message}`, request: current });
        before = fingerprint();
        continue;
      }
      kind.statuses[status] = (kind.statuses[status] ?? 0) + 1;
      kind.ms += performance.now() - started;
      const after = fingerprint();
      const response = text.slice(0, 300);
      if (/root:.*:0:0:/.test(text)) found({ problem: 'the answer holds the content of a local file', request: current, status, response });
      if (status >= 500 && !req.allowed.has(status)) {
        report.serverErrors++;
        found({ problem: `answered ${status}`, request: current, status, response });
      } else if (status < 400) {
        report.accepted++;
        if (!req.mayAccept) found({ problem: `accepted (${status}) a request that must be refused with one of ${[...req.allowed].join(', ')}`, request: current, status, response });
      } else {
        report.rejected++;
        if (!req.allowed.has(status)) found({ problem: `answered ${status}; a correct answer is one of ${[...req.allowed].join(', ')}`, request: current, status, response });
        const notOutcome = outcomeProblem(contentType, text);
        if (notOutcome) found({ problem: notOutcome, request: current, status, response });
        if (after !== before) found({ problem: `the store changed (${before} -> ${after}) although the request was refused`, request: current, status, response });
      }
      before = after;
    }
    current = '(after the run)';
    const alive = await request(`${server.url}/metadata`, { headers: { accept: 'application/fhir+json' }, dispatcher: agent });
    await alive.body.dump();
    if (alive.statusCode !== 200) found({ problem: `GET metadata after the run answered ${alive.statusCode}`, request: 'GET /metadata' });
  } finally {
    await agent.close();
    await server.close();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  return report;
}
