/**
 * What a system under test claims, decided from its own CapabilityStatement and then from config
 * and the command line, which override it. A server that declares `instantiates` (or an
 * `implementationGuide`) of an actor claims it by name; most declare neither and are judged by what
 * they declare: read and search of the Query Measure resources make a Measure Source, create and
 * update of MeasureReport a Produce Measure Consumer, `$read-csv`/`$search-csv`/`$report-csv` the
 * CSV Option, a batch endpoint the Supplemental Data Option. The mADX and RPC Content Consumers and
 * the Data Source look like any server, so they apply only when claimed. Each decision says where
 * it came from and why, for the console and the report.
 */
import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4.js';
import { ACTORS, type ActorId } from './actors.js';
import {
  DATA_SOURCE_CM,
  MEASURE_CONSUMER_PM_CSV_PUSH,
  MEASURE_CONSUMER_PM_PUSH,
  MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA,
  MEASURE_SOURCE_QM_CSV_PULL,
  MEASURE_SOURCE_QM_PULL,
} from './saner/capabilities.js';
import { MADX_CONTENT_CONSUMER, MADX_VALIDATE_MESSAGE, MADX_VALIDATE_OPTION } from './madx/capabilities.js';
import { RPC_CONTENT_CONSUMER } from './rpc/capabilities.js';

export type ClaimSource = 'capability-statement' | 'config' | 'command-line' | 'reference-run' | 'assumption';

export interface Decision {
  kind: 'actor' | 'option';
  /** The actor, or `<actor> <option>` for an option. */
  name: string;
  actor: ActorId;
  option?: string;
  claimed: boolean;
  source: ClaimSource;
  reason: string;
  /** CapabilityStatement canonicals the decision covers. */
  capabilities: string[];
}

/** What the run knows about the SUT's claims besides its CapabilityStatement. */
export interface ClaimInput {
  /** The SUT's CapabilityStatement, when it could be read. */
  statement?: CapabilityStatement;
  /** Why it could not be read. */
  unread?: string;
  /** Actors named on the command line (`--actor`, or the actors of suites `--suite` names). */
  commandLineActors: readonly ActorId[];
  /** Actors config.yaml names (`sut.actors`, `actors:`). */
  configActors: readonly ActorId[];
  /** Client actors config.yaml gives a trigger. */
  triggered: readonly ActorId[];
  /** Options named on the command line (`--option`). */
  commandLineOptions: readonly string[];
  /** Options config.yaml names (`sut.options`). */
  configOptions: readonly string[];
}

/** The server actors the rules below can infer, with what each one's options are. */
interface ServerRule {
  capabilities: readonly string[];
  /** A canonical the SUT instantiates that names the actor. */
  canonicals: readonly string[];
  /** Inferred from what the statement declares; undefined: the actor applies only when claimed. */
  infer?: (cs: CapabilityStatement) => { claimed: boolean; because: string };
  options: Readonly<Record<string, { canonicals: readonly string[]; infer?: (cs: CapabilityStatement) => { claimed: boolean; because: string } }>>;
}

const QUERY_TYPES = ['MeasureReport', 'Measure', 'Location', 'Organization'];

function resources(cs: CapabilityStatement): CapabilityStatementRestResource[] {
  return (cs.rest ?? []).filter((r) => r.mode === 'server').flatMap((r) => r.resource ?? []);
}

function declaresInteraction(cs: CapabilityStatement, type: string, code: string): boolean {
  return resources(cs).some((r) => r.type === type && (r.interaction ?? []).some((i) => i.code === code));
}

function operationsOf(cs: CapabilityStatement): string[] {
  const named = (ops: { name: string; definition: string }[] | undefined) => (ops ?? []).flatMap((o) => [o.name.replace(/^\$/, ''), o.definition.split('/').at(-1) ?? '']);
  return (cs.rest ?? []).flatMap((r) => [...named(r.operation), ...(r.resource ?? []).flatMap((x) => named(x.operation))]).map((n) => n.toLowerCase());
}

const operations = (cs: CapabilityStatement, names: readonly string[]) => {
  const declared = operationsOf(cs);
  const found = names.filter((n) => declared.some((d) => d === n || d.endsWith(n)));
  return found.length ? { claimed: true, because: `it declares ${found.map((n) => `$${n}`).join(' and ')}` } : { claimed: false, because: `it declares no ${names.map((n) => `$${n}`).join(' or ')}` };
};

const SERVER_RULES: Readonly<Partial<Record<ActorId, ServerRule>>> = {
  QueryMeasureSource: {
    capabilities: [MEASURE_SOURCE_QM_PULL, MEASURE_SOURCE_QM_CSV_PULL],
    canonicals: [MEASURE_SOURCE_QM_PULL, MEASURE_SOURCE_QM_CSV_PULL],
    infer(cs) {
      const missing = QUERY_TYPES.flatMap((t) => ['read', 'search-type'].filter((c) => !declaresInteraction(cs, t, c)).map((c) => `${c} of ${t}`));
      return missing.length ? { claimed: false, because: `it declares no ${missing.join(', ')}` } : { claimed: true, because: `it declares read and search of ${QUERY_TYPES.join(', ')}` };
    },
    options: {
      Pull: { canonicals: [MEASURE_SOURCE_QM_PULL] },
      CSV: { canonicals: [MEASURE_SOURCE_QM_CSV_PULL], infer: (cs) => operations(cs, ['read-csv', 'search-csv']) },
    },
  },
  ProduceMeasureConsumer: {
    capabilities: [MEASURE_CONSUMER_PM_PUSH, MEASURE_CONSUMER_PM_CSV_PUSH, MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA],
    canonicals: [MEASURE_CONSUMER_PM_PUSH, MEASURE_CONSUMER_PM_CSV_PUSH, MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA],
    infer(cs) {
      const missing = ['create', 'update'].filter((c) => !declaresInteraction(cs, 'MeasureReport', c));
      return missing.length ? { claimed: false, because: `it declares no ${missing.join(' or ')} of MeasureReport` } : { claimed: true, because: 'it declares create and update of MeasureReport' };
    },
    options: {
      Push: { canonicals: [MEASURE_CONSUMER_PM_PUSH] },
      CSV: { canonicals: [MEASURE_CONSUMER_PM_CSV_PUSH], infer: (cs) => operations(cs, ['report-csv']) },
      SupplementalData: {
        canonicals: [MEASURE_CONSUMER_PM_SUPPLEMENTAL_DATA],
        infer: (cs) =>
          (cs.rest ?? []).some((r) => (r.interaction ?? []).some((i) => i.code === 'batch'))
            ? { claimed: true, because: 'it declares a batch endpoint' }
            : { claimed: false, because: 'it declares no batch interaction' },
      },
    },
  },
  MadxContentConsumer: {
    capabilities: [MADX_CONTENT_CONSUMER, MADX_VALIDATE_MESSAGE],
    canonicals: [MADX_CONTENT_CONSUMER, MADX_VALIDATE_MESSAGE],
    options: { [MADX_VALIDATE_OPTION]: { canonicals: [MADX_VALIDATE_MESSAGE] } },
  },
  RpcContentConsumer: { capabilities: [RPC_CONTENT_CONSUMER], canonicals: [RPC_CONTENT_CONSUMER], options: {} },
  DataSource: { capabilities: [DATA_SOURCE_CM], canonicals: [DATA_SOURCE_CM], options: {} },
};

/** Canonicals the statement claims by name: instantiates, and implementationGuide. */
function namedCanonicals(cs: CapabilityStatement): string[] {
  return [...(cs.instantiates ?? []), ...(cs.implementationGuide ?? [])].map((c) => c.split('|')[0]!);
}

/** The actors and options the run takes the SUT to claim, for the actors of the selected suites. */
export function decideClaims(actors: readonly ActorId[], suiteOptions: (actor: ActorId) => readonly string[], input: ClaimInput): Decision[] {
  const decisions: Decision[] = [];
  const cs = input.statement;
  const named = cs ? namedCanonicals(cs) : [];
  const explicit = (actor: ActorId): ClaimSource | undefined =>
    input.commandLineActors.includes(actor) ? 'command-line' : input.configActors.includes(actor) ? 'config' : input.triggered.includes(actor) ? 'config' : undefined;
  for (const actor of actors) {
    const rule = SERVER_RULES[actor];
    const title = ACTORS[actor].title;
    const by = explicit(actor);
    let decision: Decision;
    if (by)
      decision = {
        kind: 'actor',
        name: actor,
        actor,
        claimed: true,
        source: by,
        reason: `claimed: named ${by === 'command-line' ? 'on the command line' : input.triggered.includes(actor) && !input.configActors.includes(actor) ? 'by its trigger in config.yaml' : 'in config.yaml'}`,
        capabilities: [...(rule?.capabilities ?? [])],
      };
    else if (actor === 'FhirServer')
      decision = {
        kind: 'actor',
        name: actor,
        actor,
        claimed: true,
        source: cs ? 'capability-statement' : 'assumption',
        reason: cs ? 'claimed: every FHIR server answers the core RESTful rules' : `assumed: ${input.unread ?? 'no CapabilityStatement was read'}`,
        capabilities: [],
      };
    else if (ACTORS[actor].role === 'client')
      decision = {
        kind: 'actor',
        name: actor,
        actor,
        claimed: false,
        source: 'config',
        reason: `not claimed: no trigger for ${actor} in config.yaml (sut.triggers) and not named on the command line`,
        capabilities: [],
      };
    else if (!rule) decision = { kind: 'actor', name: actor, actor, claimed: false, source: 'assumption', reason: `not claimed: nothing tells whether the SUT is a ${title}`, capabilities: [] };
    else if (!cs)
      decision = {
        kind: 'actor',
        name: actor,
        actor,
        claimed: true,
        source: 'assumption',
        reason: `assumed: ${input.unread ?? 'no CapabilityStatement was read'}, so the run takes the SUT to be every selected actor`,
        capabilities: [...rule.capabilities],
      };
    else {
      const byName = rule.canonicals.find((c) => named.includes(c));
      const inferred = byName ? undefined : rule.infer?.(cs);
      decision = byName
        ? { kind: 'actor', name: actor, actor, claimed: true, source: 'capability-statement', reason: `claimed: the CapabilityStatement instantiates ${byName}`, capabilities: [...rule.capabilities] }
        : inferred?.claimed
          ? {
              kind: 'actor',
              name: actor,
              actor,
              claimed: true,
              source: 'capability-statement',
              reason: `claimed: the CapabilityStatement instantiates no ${title}, but ${inferred.because}`,
              capabilities: [...rule.capabilities],
            }
          : {
              kind: 'actor',
              name: actor,
              actor,
              claimed: false,
              source: 'capability-statement',
              reason: `not claimed: the CapabilityStatement instantiates no ${title}${inferred ? `, and ${inferred.because}` : ', and the actor is not inferred from what a server declares'}; name it in sut.actors or with --actor to test it`,
              capabilities: [...rule.capabilities],
            };
    }
    decisions.push(decision);
    for (const option of suiteOptions(actor)) decisions.push(optionDecision(actor, option, decision, rule, input, named));
  }
  return decisions;
}

function optionDecision(actor: ActorId, option: string, actorDecision: Decision, rule: ServerRule | undefined, input: ClaimInput, named: readonly string[]): Decision {
  const base = { kind: 'option' as const, name: `${actor} ${option}`, actor, option, capabilities: [...(rule?.options[option]?.canonicals ?? [])] };
  if (!actorDecision.claimed) return { ...base, claimed: false, source: actorDecision.source, reason: `not claimed: the actor is not claimed` };
  if (input.commandLineOptions.length) {
    const claimed = input.commandLineOptions.includes(option);
    return { ...base, claimed, source: 'command-line', reason: claimed ? 'claimed: named with --option' : 'not claimed: not named with --option' };
  }
  if (input.configOptions.length) {
    const claimed = input.configOptions.includes(option);
    return { ...base, claimed, source: 'config', reason: claimed ? 'claimed: named in sut.options' : 'not claimed: not named in sut.options' };
  }
  const cs = input.statement;
  const own = rule?.options[option];
  if (!cs || !own || actorDecision.source === 'assumption') {
    return {
      ...base,
      claimed: true,
      source: 'assumption',
      reason: `assumed: ${cs ? 'the option is not told by a CapabilityStatement' : (input.unread ?? 'no CapabilityStatement was read')}, and sut.options names none`,
    };
  }
  const byName = own.canonicals.find((c) => named.includes(c));
  if (byName) return { ...base, claimed: true, source: 'capability-statement', reason: `claimed: the CapabilityStatement instantiates ${byName}` };
  // An option without a rule of its own goes with the actor (the Pull Option of a Measure Source, Push of a Consumer).
  if (!own.infer) return { ...base, claimed: true, source: 'capability-statement', reason: `claimed with the actor: ${actorDecision.reason.replace(/^claimed: /, '')}` };
  const inferred = own.infer(cs);
  return inferred.claimed
    ? { ...base, claimed: true, source: 'capability-statement', reason: `claimed: ${inferred.because}` }
    : { ...base, claimed: false, source: 'capability-statement', reason: `not claimed: ${inferred.because} in the CapabilityStatement, and none in config` };
}

/** Whether the statement lets the harness delete a type: true, false when it lists the type without delete, undefined when it cannot tell. */
export function deletesOf(cs: CapabilityStatement | undefined): (type: string) => boolean | undefined {
  return (type) => {
    if (!cs) return undefined;
    const listed = resources(cs).find((r) => r.type === type);
    if (!listed) return undefined;
    return (listed.interaction ?? []).some((i) => i.code === 'delete');
  };
}
