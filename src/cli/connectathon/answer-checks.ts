/**
 * The server side of recorded traffic (the recording proxy between two real systems): a small
 * check of each answer the server gave, citing the server rows of the transaction's catalogue.
 * It covers what one exchange shows about the server: the status of a submission (by whether what
 * was submitted was well formed and conformed to the transaction's profile), an OperationOutcome
 * on error answers, 201 with a Location for a create where FHIR asks it, reads and searches
 * answered with the resource or a searchset, and the profile of the reports it serves. What the
 * server suites ask by sending their own requests (formats, paging, ids, If-Match, 404/405/501)
 * needs those requests and is not judged here; mutual authentication is not observed through a
 * proxy, so a person answers it.
 */
import type { Bundle, Resource } from 'fhir/r4.js';
import { ATTESTED_FALSE, bodyOf, defineSuite, projectValidator, test, type InboundRequest, type Interaction, type Suite, type TestContext, type TestDefinition } from '../../engine/index.js';
import { hasErrors } from '../../fhir/errors.js';
import { PUBLIC_HEALTH_MEASURE, PUBLIC_HEALTH_MEASURE_REPORT } from '../../../ig/saner/profiles.js';
import { madxProfileUrl, type MadxRuleSet } from '../../../ig/madx/profiles.js';
import { RPC_MEASURE_REPORT } from '../../../ig/rpc/profiles.js';
import { registerMadxProfiles, registerRpcProfiles, registerSanerProfiles } from '../../../ig/index.js';
import type { Transaction } from './transactions.js';

const FHIR_MEDIA = new Set(['application/fhir+json', 'application/fhir+xml']);

type Submission = Extract<Interaction, 'create' | 'update'>;
const SUBMISSION_LINE: Record<Submission, string> = { create: 'POST [base]/MeasureReport', update: 'PUT [base]/MeasureReport/[id]' };

/** How the server of a transaction answers submissions of a report (create or update). */
interface SubmissionRules {
  /** The interactions that submit a report, each with the rows its acceptance decides. */
  interactions: Readonly<Partial<Record<Submission, readonly string[]>>>;
  /** Statuses that accept a well-formed, conforming report. */
  accepted: readonly number[];
  /** Statuses that defer the answer (202, 303): they neither accept nor refuse. */
  pending?: readonly number[];
  /** The profile a submitted report is held to, and the row asking a breaking one to be refused with 422. */
  profile: (ruleSet: MadxRuleSet) => string;
  refusedRow: string;
  /** FHIR's 201 Created with a Location, where the transaction's server suite cites it. */
  createdRow?: string;
}

interface ReadRules {
  /** Per resource type: the rows of its read and of its search. */
  types: Readonly<Record<string, { read: string; search: string }>>;
  /** Served resources held to a profile, by type. */
  served: Readonly<Record<string, { profile: string; row: string }>>;
}

interface AnswerRules {
  submissions?: SubmissionRules;
  reads?: ReadRules;
  /** The row asking error answers to carry an OperationOutcome. */
  outcomeRow: string;
  /** The row asking every request to be answered with a status. */
  answeredRow?: string;
  /** The row of mutual authentication between the two systems. */
  mutualAuthRow?: string;
}

/** Per transaction id: what the server's answers are held to. */
const RULES: Readonly<Record<string, AnswerRules>> = {
  'saner/produce-measure': {
    submissions: {
      interactions: { create: ['SANER-PM-CON-002', 'SANER-PM-PG-003'], update: ['SANER-PM-CON-003', 'SANER-PM-PG-003'] },
      accepted: [200, 201, 204],
      profile: () => PUBLIC_HEALTH_MEASURE_REPORT,
      refusedRow: 'FHIR-HTTP-013',
      createdRow: 'FHIR-HTTP-005',
    },
    reads: { types: {}, served: { MeasureReport: { profile: PUBLIC_HEALTH_MEASURE_REPORT, row: 'SANER-PM-CON-001' } } },
    outcomeRow: 'FHIR-HTTP-004',
  },
  'saner/query-measure': {
    reads: {
      types: {
        Location: { read: 'SANER-QM-SRC-001', search: 'SANER-QM-SRC-002' },
        MeasureReport: { read: 'SANER-QM-SRC-011', search: 'SANER-QM-SRC-012' },
        Measure: { read: 'SANER-QM-SRC-028', search: 'SANER-QM-SRC-029' },
        Organization: { read: 'SANER-QM-SRC-043', search: 'SANER-QM-SRC-044' },
      },
      served: {
        MeasureReport: { profile: PUBLIC_HEALTH_MEASURE_REPORT, row: 'SANER-QM-SRC-010' },
        Measure: { profile: PUBLIC_HEALTH_MEASURE, row: 'SANER-QM-SRC-027' },
      },
    },
    outcomeRow: 'FHIR-HTTP-004',
  },
  'madx/send-aggregate-report': {
    submissions: { interactions: { update: ['MADX-CON-001'] }, accepted: [200, 201], pending: [202, 303], profile: madxProfileUrl, refusedRow: 'MADX-CON-013' },
    outcomeRow: 'MADX-CON-019',
    answeredRow: 'MADX-CON-002',
    mutualAuthRow: 'MADX-SEC-002',
  },
  'rpc/send-concordance-report': {
    submissions: { interactions: { create: ['RPC-CON-001'] }, accepted: [200, 201], pending: [202, 303], profile: () => RPC_MEASURE_REPORT, refusedRow: 'RPC-CON-012' },
    outcomeRow: 'RPC-CON-013',
    answeredRow: 'RPC-CON-002',
    mutualAuthRow: 'RPC-SEC-002',
  },
};

registerSanerProfiles();
registerMadxProfiles();
registerRpcProfiles();

type T = TestContext;

const requestsOf = (t: T): InboundRequest[] => t.env.simulator!.requests();
const isError = (r: InboundRequest): boolean => (r.status ?? 0) >= 400;

/** A submission whose report could be judged: FHIR media type, a body that parses to a report. */
interface Judged {
  request: InboundRequest;
  /** Whether the report breaks the transaction's profile, and the first errors. */
  breaks: string | undefined;
}

async function judgedSubmissions(t: T, rules: SubmissionRules): Promise<Judged[]> {
  const ruleSet = t.config.madxRuleSet ?? 'trial-implementation';
  const judged: Judged[] = [];
  for (const request of requestsOf(t)) {
    const report = bodyOf(request);
    if (!(request.interaction in rules.interactions) || request.type !== 'MeasureReport' || !FHIR_MEDIA.has(request.mediaType ?? '') || report?.resourceType !== 'MeasureReport') continue;
    // What was submitted decides what the answer should be; it is a precondition, not a check of the server.
    const issues = await projectValidator(report, { profiles: [rules.profile(ruleSet)] });
    const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
    judged.push({
      request,
      breaks: hasErrors(issues)
        ? errors
            .slice(0, 2)
            .map((i) => (i.expression ? `${i.expression}: ${i.message}` : i.message))
            .join('; ')
        : undefined,
    });
  }
  return judged;
}

function submissionTests(rules: SubmissionRules): TestDefinition[] {
  const tests: TestDefinition[] = Object.entries(rules.interactions).map(([interaction, rows]) =>
    test(`The server accepts a conforming report sent by ${SUBMISSION_LINE[interaction as Submission]}`, {
      requirements: [...rows],
      negativeControl: `refuse-interaction:MeasureReport/${interaction}`,
      async run(t) {
        const conforming = (await judgedSubmissions(t, rules)).filter((j) => !j.breaks && j.request.interaction === interaction).map((j) => j.request);
        const decided = conforming.filter((r) => !(rules.pending ?? []).includes(r.status ?? 0));
        t.cite('conforming reports submitted', conforming);
        if (decided.length < conforming.length) t.note(`${conforming.length - decided.length} submission(s) answered ${rules.pending!.join(' or ')}: the final answer is not part of this exchange`);
        t.expectEvery(decided, (r) => rules.accepted.includes(r.status ?? 0), `every conforming report was accepted with ${rules.accepted.join(', ')}`, {
          requirement: [...rows],
          show: (r) => r.line,
        });
      },
    }),
  );
  tests.push(
    test(`The server refuses a report breaking the profile with 422`, {
      requirements: rules.refusedRow,
      negativeControl: 'accept-invalid',
      async run(t) {
        const breaking = (await judgedSubmissions(t, rules)).filter((j) => j.breaks);
        for (const j of breaking) t.note(`${j.request.line}: the report breaks the profile: ${j.breaks}`);
        t.expectEvery(breaking, (j) => j.request.status === 422, 'every report breaking the profile was refused with 422', { show: (j) => j.request.line });
      },
    }),
  );
  const createdRow = rules.createdRow;
  if (createdRow) {
    tests.push(
      test('A create is answered 201 Created with a Location naming the new report', {
        requirements: createdRow,
        negativeControl: 'no-location-header',
        run(t) {
          const created = requestsOf(t).filter((r) => r.interaction === 'create' && r.type === 'MeasureReport' && r.succeeded);
          t.cite('accepted creates', created);
          t.expectEvery(
            created,
            (r) => r.status === 201 && /\/MeasureReport\/[A-Za-z0-9\-.]{1,64}(\/_history\/[^/]+)?$/.test(r.exchange.responseHeaders?.['location'] ?? ''),
            'every accepted create answered 201 with a Location of [base]/MeasureReport/[id]',
            {
              show: (r) => `${r.line}, Location ${r.exchange.responseHeaders?.['location'] ?? '(none)'}`,
            },
          );
        },
      }),
    );
  }
  return tests;
}

/** The resources of a read or search answer that the server served (search matches and includes). */
function served(r: InboundRequest): Resource[] {
  if (!r.succeeded || !r.answer) return [];
  if (r.answer.resourceType === 'Bundle') return ((r.answer as Bundle).entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
  return [r.answer];
}

function readTests(rules: ReadRules): TestDefinition[] {
  const tests: TestDefinition[] = Object.entries(rules.types).flatMap(([type, rows]) => [
    test(`A read of ${type} is answered 200 with that ${type}`, {
      requirements: rows.read,
      negativeControl: `refuse-interaction:${type}/read`,
      run(t) {
        const reads = requestsOf(t).filter((r) => r.interaction === 'read' && r.type === type && r.status !== 404);
        t.cite(`reads of ${type}`, reads);
        t.expectEvery(reads, (r) => r.status === 200 && r.answer?.resourceType === type && r.answer.id === r.id, `every read of ${type} (but a 404) was answered 200 with the ${type} asked for`, {
          show: (r) => `${r.line} gave ${r.answer?.resourceType ?? 'no resource'}`,
        });
      },
    }),
    test(`A search of ${type} is answered 200 with a searchset Bundle`, {
      requirements: rows.search,
      negativeControl: `refuse-interaction:${type}/search-type`,
      run(t) {
        const searches = requestsOf(t).filter((r) => r.interaction === 'search' && r.type === type);
        t.cite(`searches of ${type}`, searches);
        t.expectEvery(
          searches,
          (r) => r.status === 200 && r.answer?.resourceType === 'Bundle' && (r.answer as Bundle).type === 'searchset',
          `every search of ${type} was answered 200 with a searchset Bundle`,
          { show: (r) => r.line },
        );
      },
    }),
  ]);
  for (const [type, { profile, row }] of Object.entries(rules.served)) {
    tests.push(
      test(`Every ${type} the server answered with conforms to its profile`, {
        requirements: row,
        negativeControl: type === 'Measure' ? 'invalid-measure' : 'accept-invalid',
        async run(t) {
          const resources = requestsOf(t)
            .flatMap(served)
            .filter((r) => r.resourceType === type);
          if (resources.length === 0) t.undecided(row, `no answer carried a ${type}`);
          for (const resource of resources) await t.validate(resource, { profiles: [profile] });
        },
      }),
    );
  }
  return tests;
}

function outcomeTest(row: string): TestDefinition {
  return test('Error answers carry an OperationOutcome', {
    requirements: row,
    negativeControl: 'operation-outcome-missing',
    run(t) {
      const errors = requestsOf(t).filter(isError);
      t.cite('error answers', errors);
      t.expectEvery(errors, (r) => r.answer?.resourceType === 'OperationOutcome', 'every 4xx and 5xx answer carries an OperationOutcome', {
        show: (r) => `${r.line} carried ${r.answer?.resourceType ?? (r.exchange.responseBody?.text.trim() ? 'no FHIR resource' : 'no body')}`,
      });
    },
  });
}

function answeredTest(row: string): TestDefinition {
  return test('Every request is answered with an HTTP status', {
    requirements: row,
    negativeControl: 'target-unreachable',
    run(t) {
      const all = requestsOf(t).filter((r) => !r.exchange.error?.includes('no TLS') && r.method !== 'CONNECT');
      t.expectEvery(all, (r) => r.status !== undefined && !r.exchange.error, 'every request got an HTTP status from the server', { show: (r) => `${r.line}: ${r.exchange.error ?? 'no status'}` });
    },
  });
}

/** Through a proxy the two systems never meet at the TLS layer: their mutual authentication is for a person to answer. */
function mutualAuthTest(row: string): TestDefinition {
  return test('The two systems authenticate each other (mutual TLS)', {
    requirements: row,
    negativeControl: ATTESTED_FALSE,
    run(t) {
      const subjects = [...new Set(requestsOf(t).flatMap((r) => (r.exchange.peer?.certificateSubject ? [r.exchange.peer.certificateSubject] : [])))];
      t.note(
        `mutual authentication between the two systems is not observed through a proxy: the proxy ends the client's TLS connection with its own certificate and opens its own to the server. ${subjects.length ? `The client presented a certificate with subject ${subjects.join('; ')}.` : 'The client presented no certificate to the proxy.'}`,
      );
      t.attest(row, 'When the two systems talk directly, does each present a certificate the other verifies (mutual TLS)?');
    },
  });
}

/** The answer checks of a transaction's server, as a suite judging recorded traffic; undefined when the project has no rules for it. */
export function answerCheckSuite(transaction: Transaction): Suite<object> | undefined {
  const rules = RULES[transaction.id];
  const server = transaction.server;
  if (!rules || !server) return undefined;
  return defineSuite({
    id: `${transaction.id}/recorded-answers`,
    title: `${server.title}: answers recorded through the proxy`,
    actorUnderTest: server.actorUnderTest,
    role: 'server',
    simulator: transaction.simulator,
    capabilities: [...server.capabilities],
    tests: [
      ...(rules.submissions ? submissionTests(rules.submissions) : []),
      ...(rules.reads ? readTests(rules.reads) : []),
      outcomeTest(rules.outcomeRow),
      ...(rules.answeredRow ? [answeredTest(rules.answeredRow)] : []),
      ...(rules.mutualAuthRow ? [mutualAuthTest(rules.mutualAuthRow)] : []),
    ],
  });
}
