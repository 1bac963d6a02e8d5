/**
 * Which suites a run covers and where each one's traffic goes: the SUT named in config.yaml, or
 * the bundled reference simulator for the actor when no SUT is configured.
 */
import { readFileSync } from 'node:fs';
import type { CredentialKind, HttpClientConfig, LaunchSimulator, Suite, SuiteConfig, SuitePlan } from '../engine/index.js';
import type { HarnessConfig, TriggerConfig } from '../config/types.js';
import { ACTOR_IDS, ACTORS, SHARED_ACTOR_NAMES, SHARED_TRIGGER_KEYS, isActorId, type ActorId } from '../../ig/actors.js';
import type { ReferenceTrigger } from '../engine/triggers.js';
import { referenceClientPlaying, simulatorById, simulatorPlaying, type Simulator } from '../../simulators/index.js';
import { UsageError } from './command.js';
import { idMatcher, unmatchedGlobs } from './glob.js';
import { runBearerToken, runCertificate, type RunCertificate } from './run-certificate.js';
import type { Claims } from './claims.js';

export interface Selection {
  suite: string[];
  actor: string[];
}

/** The suites a run covers, and notes for the console (e.g. what an IG-wide actor name selected). */
export interface Selected {
  suites: Suite<object>[];
  notes: string[];
}

/** Actor names as given, resolved to the project's actors; an unknown name is refused with the valid ones. */
export function resolveActors(names: readonly string[], where: string, notes: string[]): ActorId[] {
  const resolved = new Set<ActorId>();
  for (const name of names) {
    if (isActorId(name)) resolved.add(name);
    else if (SHARED_ACTOR_NAMES[name]) {
      const sides = SHARED_ACTOR_NAMES[name]!;
      for (const id of sides) resolved.add(id);
      notes.push(`${where} ${name} names both sides of SANER's ${name}: ${sides.map((id) => `${id} (${ACTORS[id].role})`).join(' and ')}; name one of them to select one side`);
    } else throw new UsageError(`${where} ${JSON.stringify(name)} is not an actor; actors: ${[...ACTOR_IDS, ...Object.keys(SHARED_ACTOR_NAMES)].join(', ')}`);
  }
  return [...resolved];
}

/** The client actor a `sut.triggers` key names (the IG's shared names mean the client side they named before). */
export function triggerActor(key: string): ActorId {
  const id = isActorId(key) ? key : SHARED_TRIGGER_KEYS[key];
  if (!id || ACTORS[id].role !== 'client') {
    const clients = ACTOR_IDS.filter((a) => ACTORS[a].role === 'client');
    throw new UsageError(`sut.triggers.${key}: ${JSON.stringify(key)} is not a client actor; triggers are keyed by ${[...clients, ...Object.keys(SHARED_TRIGGER_KEYS)].join(', ')}`);
  }
  return id;
}

/** The trigger config.yaml gives a client actor, under its own key or the IG's shared name. */
function triggerFor(config: HarnessConfig, actor: string): TriggerConfig | undefined {
  const triggers = config.sut?.triggers ?? {};
  return Object.entries(triggers).find(([key]) => triggerActor(key) === actor)?.[1];
}

/** Options the suites know; an unknown one (a typo) is refused. */
export function checkOptions(all: readonly Suite<object>[], options: readonly string[], where: string): void {
  const known = [...new Set(all.flatMap((s) => [...s.options, ...s.tests.flatMap((t) => t.preconditions.options ?? [])]))];
  const unknown = options.filter((o) => !known.includes(o));
  if (unknown.length) throw new UsageError(`${where} ${unknown.map((o) => JSON.stringify(o)).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not an option; options: ${known.join(', ')}`);
}

/**
 * With no SUT, every suite the globs and actors select runs against the reference simulators.
 * With a SUT, a server suite runs when the SUT has a base URL (and its actor is selected, when
 * actors are named); a client suite runs when its actor has a trigger or is named. A config that
 * names only triggers runs only client suites.
 */
export function selectSuites(all: readonly Suite<object>[], config: HarnessConfig, cli: Selection): Selected {
  const notes: string[] = [];
  const globs = cli.suite.length ? cli.suite : config.suites;
  const matches = idMatcher(globs);
  const named = cli.actor.length
    ? { names: cli.actor, where: '--actor' }
    : config.actors
      ? { names: config.actors, where: 'actors:' }
      : config.sut?.actors
        ? { names: config.sut.actors, where: 'sut.actors:' }
        : undefined;
  const actors = named ? resolveActors(named.names, named.where, notes) : undefined;
  for (const key of Object.keys(config.sut?.triggers ?? {})) triggerActor(key);
  if (config.sut?.options) checkOptions(all, config.sut.options, 'sut.options:');
  const sut = config.sut;
  const chosen = all.filter((s) => {
    if (!matches(s.id)) return false;
    const actorNamed = actors?.includes(s.actorUnderTest as ActorId) ?? false;
    if (!sut) return !actors || actorNamed;
    if (s.role === 'server') {
      if (!sut.baseUrl) return false;
      // Every server actor is a FHIR server, so the core server suite goes with any of them.
      return !actors || actorNamed || (s.actorUnderTest === 'FhirServer' && actors.some((a) => ACTORS[a].role === 'server'));
    }
    return actors ? actorNamed : triggerFor(config, s.actorUnderTest) !== undefined;
  });
  if (chosen.length === 0) {
    const ids = all.map((s) => `${s.id} (${s.actorUnderTest}, ${s.role})`).join(', ');
    const unmatched = unmatchedGlobs(
      globs,
      all.map((s) => s.id),
      'suite id',
    );
    const why = sut && !sut.baseUrl && !Object.keys(sut.triggers ?? {}).length ? 'the SUT has neither a baseUrl for server suites nor triggers for client suites' : unmatched;
    throw new UsageError(`no suite matches the selection${why ? ` (${why})` : ''}; suites: ${ids}`);
  }
  return { suites: chosen, notes };
}

/** Reference simulator a suite runs against when there is no SUT (server role) or that the SUT calls (client role). */
export function simulatorFor(suite: Suite<object>): Simulator {
  const sim = suite.role === 'client' ? simulatorById(suite.simulator ?? '') : simulatorPlaying(suite.actorUnderTest);
  if (!sim) throw new UsageError(`no bundled simulator for suite ${suite.id} (${suite.role === 'client' ? `simulator ${suite.simulator}` : `actor ${suite.actorUnderTest}`})`);
  return sim;
}

/**
 * `faults` go to whatever stands in for the SUT: the simulator of a server-role suite, or the
 * reference client of a client-role suite run without a SUT (its simulator then runs clean).
 */
export function planFor(suite: Suite<object>, config: HarnessConfig, faults: string[] = [], claims?: Claims, seeded?: SuiteConfig['seeded']): SuitePlan {
  const sut = config.sut;
  // What the SUT claims decides the options, and a suite whose actor it does not claim is skipped saying why.
  const claimed = claims?.options(suite.actorUnderTest);
  const options = claimed?.claimed ?? sut?.options ?? suite.options;
  const actorDecision = claims?.actor(suite.actorUnderTest);
  const applies: Pick<SuitePlan, 'notApplicable' | 'optionReasons'> = {
    ...(actorDecision && !actorDecision.claimed ? { notApplicable: `${suite.actorUnderTest} ${actorDecision.reason}` } : {}),
    ...(claimed && Object.keys(claimed.reasons).length ? { optionReasons: claimed.reasons } : {}),
  };
  const idsConfig: SuiteConfig = {
    ...(sut?.ids ? { ids: sut.ids } : {}),
    ...measureFor(suite, sut?.measure),
    ...(sut?.madxRuleSet ? { madxRuleSet: sut.madxRuleSet } : {}),
  };
  if (suite.role === 'server' && sut?.baseUrl) {
    const credentials = presentedCredentials(sut);
    return {
      target: { baseUrl: sut.baseUrl },
      options,
      config: { ...idsConfig, ...(seeded ? { seeded } : {}), ...(sut.dataSet ? { dataSet: sut.dataSet } : {}), ...(credentials.length ? { credentials } : {}) },
      ...applies,
    };
  }
  const sim = simulatorFor(suite);
  const transport = referenceTransport(sim, config);
  const tls = transport.certificate ? { tls: transport.certificate } : {};
  const trust = transport.certificate ? { tls: { ca: transport.certificate.cert } } : {};
  // A server suite's simulator holds the data set the suite started it with.
  const generated = suite.role === 'server' ? suite.simulatorOptions : undefined;
  const held: SuiteConfig = generated?.patients !== undefined ? { dataSet: { patients: generated.patients, ...(generated.seed !== undefined ? { seed: generated.seed } : {}), loaded: true } } : {};
  const token = demandedToken(sim, config);
  // The suite's https test leaves a plain-http reference run to a person, saying why, instead of failing it.
  const suiteConfig: SuiteConfig = {
    ...idsConfig,
    ...held,
    ...(transport.plainHttp ? { referenceHttp: transport.plainHttp } : {}),
    ...(token ? (suite.role === 'server' ? { credentials: ['bearer-token' as const] } : { demandedCredential: 'bearer-token' as const }) : {}),
  };
  const standIn = suite.role === 'client' && !sut ? referenceTriggerFor(suite, options, faults, transport.certificate, token) : undefined;
  // A client actor no reference client plays (the Measure Computer) is played by its reference server, which the suite starts with the faults.
  const standInServer = suite.role === 'client' && !sut && !standIn ? simulatorPlaying(suite.actorUnderTest) : undefined;
  const simulatorFaults = standIn || standInServer ? [] : faults;
  const target: SuitePlan['target'] = {
    name: sim.title,
    start: async ({ onExchange }) => {
      const server = await sim.start({ ...suite.simulatorOptions, ...tls, ...simulatorRun(config, token), faults: simulatorFaults, onExchange, host: config.simulators.host });
      return { baseUrl: server.url, close: () => server.close() };
    },
  };
  if (suite.role === 'server') {
    // The simulator stands in for the SUT: no SUT credentials or trust settings go to it, only the run's own.
    return { target, options, config: suiteConfig, http: { ...(token ? { auth: { type: 'bearer', token } } : {}), headers: {}, tls: {}, ...trust } };
  }
  const trigger = standIn ?? triggerFor(config, suite.actorUnderTest);
  return {
    target,
    options,
    config: suiteConfig,
    ...applies,
    ...(transport.certificate ? { http: trust } : {}),
    ...(trigger ? { trigger } : {}),
    // A SUT's base URL is where a client suite reads what the SUT serves besides calling out (e.g. reports under Pull).
    ...(sut?.baseUrl ? { sutBaseUrl: sut.baseUrl } : {}),
    ...(standIn ? { standIn: { kind: 'reference-client' as const, name: standIn.name } } : {}),
    ...(standInServer ? { standIn: { kind: 'reference-server' as const, simulator: standInServer.id, faults } } : {}),
  };
}

/** The Measure a Creator suite's SUT reports on: the one canonical, or the one named for its actor. */
function measureFor(suite: Suite<object>, measure: string | Readonly<Record<string, string>> | undefined): Pick<SuiteConfig, 'measure'> {
  if (typeof measure === 'string') return { measure };
  const forActor = measure?.[suite.actorUnderTest];
  return forActor ? { measure: forActor } : {};
}

/** Starts registered simulators a suite's environment asks for, on the run's host, demanding what the suite's own simulator demands. */
export function launcher(config: HarnessConfig): LaunchSimulator {
  return async (id, options) => {
    const sim = simulatorById(id);
    if (!sim) throw new UsageError(`no bundled simulator has the id ${id}`);
    const server = await sim.start({ ...simulatorRun(config, demandedToken(sim, config)), ...options, faults: [...(options.faults ?? [])], host: config.simulators.host });
    return { baseUrl: server.url, close: () => server.close() };
  };
}

/** What every simulator of a run is started with: the bearer token it demands, and the mADX text config names. */
function simulatorRun(config: HarnessConfig, token: string | undefined): { auth?: { bearerToken: string }; ruleSet?: 'trial-implementation' | 'comment-draft' } {
  return { ...(token ? { auth: { bearerToken: token } } : {}), ...(config.sut?.madxRuleSet ? { ruleSet: config.sut.madxRuleSet } : {}) };
}

/**
 * The bearer token a simulator whose profile asks for mutual authentication demands: one made for
 * the run when there is no SUT, else `simulators.auth.bearerToken` (a Creator SUT is configured with it).
 */
function demandedToken(sim: Simulator, config: HarnessConfig): string | undefined {
  if (!sim.requiresAuthentication) return undefined;
  return config.sut ? config.simulators.auth?.bearerToken : runBearerToken();
}

/** What the harness presents to a server SUT with every request. */
function presentedCredentials(sut: NonNullable<HarnessConfig['sut']>): CredentialKind[] {
  return [...(sut.auth?.bearerToken ? ['bearer-token' as const] : sut.auth?.basic ? ['basic' as const] : []), ...(sut.tls?.certFile && sut.tls.keyFile ? ['client-certificate' as const] : [])];
}

interface ReferenceTransport {
  certificate?: RunCertificate;
  /** Why a simulator whose profile requires https runs on plain http. */
  plainHttp?: string;
}

/** A run with no SUT serves the simulators whose profiles require https over TLS, unless told not to. */
function referenceTransport(sim: Simulator, config: HarnessConfig): ReferenceTransport {
  if (!sim.requiresHttps || config.sut) return {};
  if (config.simulators.referenceTls === false) return { plainHttp: 'the run was asked for plain http (run --no-tls or simulators.referenceTls: false)' };
  const made = runCertificate(config.simulators.host);
  return made.ok ? { certificate: made.certificate } : { plainHttp: `no certificate could be made for the run: ${made.reason}` };
}

/**
 * With no SUT, the bundled reference client of the actor plays it, with the run's options and
 * faults; an actor without one leaves the suite waiting for a SUT, as before reference clients.
 */
function referenceTriggerFor(
  suite: Suite<object>,
  options: readonly string[],
  faults: readonly string[],
  certificate: RunCertificate | undefined,
  token: string | undefined,
): ReferenceTrigger | undefined {
  const client = referenceClientPlaying(suite.actorUnderTest);
  if (!client) return undefined;
  return {
    type: 'reference',
    name: client.title,
    run: ({ simulatorUrl, signal, asks }) =>
      client.run({ baseUrl: simulatorUrl, faults, options, signal, asks, ...(certificate ? { ca: certificate.cert } : {}), ...(token ? { bearerToken: token } : {}) }),
  };
}

/** HTTP settings towards the SUT: TLS trust, credentials, headers, timeouts, and what to redact. */
export function sutHttpConfig(config: HarnessConfig, secrets: string[]): HttpClientConfig {
  const sut = config.sut;
  const auth = sut?.auth?.bearerToken ? { type: 'bearer' as const, token: sut.auth.bearerToken } : sut?.auth?.basic ? { type: 'basic' as const, ...sut.auth.basic } : undefined;
  return {
    timeouts: { requestMs: config.timeouts.requestMs },
    secrets,
    ...(auth ? { auth } : {}),
    ...(sut?.headers ? { headers: sut.headers } : {}),
    ...(sut?.tls ? { tls: sutTls(sut.tls) } : {}),
  };
}

function sutTls(tls: NonNullable<NonNullable<HarnessConfig['sut']>['tls']>): NonNullable<HttpClientConfig['tls']> {
  return {
    ...(tls.caFile ? { ca: readPem('caFile', tls.caFile) } : {}),
    ...(tls.insecure ? { insecure: true } : {}),
    ...(tls.certFile && tls.keyFile ? { cert: readPem('certFile', tls.certFile), key: readPem('keyFile', tls.keyFile) } : {}),
    ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
  };
}

function readPem(key: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`sut.tls.${key} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}
