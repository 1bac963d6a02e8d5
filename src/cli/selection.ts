/**
 * Which suites a run covers and where each one's traffic goes: the SUT named in config.yaml, or
 * the bundled reference simulator for the actor when no SUT is configured.
 */
import { readFileSync } from 'node:fs';
import type { Fixture, HttpClientConfig, Suite, SuitePlan } from '../engine/index.js';
import type { HarnessConfig } from '../config/types.js';
import type { ReferenceTrigger } from '../engine/triggers.js';
import { referenceClientPlaying, simulatorById, simulatorPlaying, type Simulator } from '../../simulators/index.js';
import { UsageError } from './command.js';
import { idMatcher, unmatchedGlobs } from './glob.js';
import { runCertificate, type RunCertificate } from './run-certificate.js';

export interface Selection {
  suite: string[];
  actor: string[];
}

export function selectSuites(all: readonly Suite<Fixture>[], config: HarnessConfig, cli: Selection): Suite<Fixture>[] {
  const globs = cli.suite.length ? cli.suite : config.suites;
  const matches = idMatcher(globs);
  const actors = cli.actor.length ? cli.actor : config.actors ?? config.sut?.actors;
  const chosen = all.filter(
    (s) =>
      matches(s.id) &&
      // Every server actor is a FHIR server, so the core server suite applies to any of them.
      (!actors || actors.includes(s.actorUnderTest) || (s.actorUnderTest === 'FhirServer' && s.role === 'server' && config.sut?.baseUrl !== undefined)) &&
      // A SUT named without actors is a server; a client actor of it takes part once it has a trigger.
      (actors || s.role === 'server' || !config.sut || config.sut.triggers?.[s.actorUnderTest] !== undefined),
  );
  if (chosen.length === 0) {
    const ids = all.map((s) => `${s.id} (${s.actorUnderTest})`).join(', ');
    const unmatched = unmatchedGlobs(globs, all.map((s) => s.id), 'suite id');
    throw new UsageError(`no suite matches the selection${unmatched ? ` (${unmatched})` : ''}; suites: ${ids}`);
  }
  return chosen;
}

/** Reference simulator a suite runs against when there is no SUT (server role) or that the SUT calls (client role). */
export function simulatorFor(suite: Suite<Fixture>): Simulator {
  const sim = suite.role === 'client' ? simulatorById(suite.simulator ?? '') : simulatorPlaying(suite.actorUnderTest);
  if (!sim) throw new UsageError(`no bundled simulator for suite ${suite.id} (${suite.role === 'client' ? `simulator ${suite.simulator}` : `actor ${suite.actorUnderTest}`})`);
  return sim;
}

/**
 * `faults` go to whatever stands in for the SUT: the simulator of a server-role suite, or the
 * reference client of a client-role suite run without a SUT (its simulator then runs clean).
 */
export function planFor(suite: Suite<Fixture>, config: HarnessConfig, faults: string[] = []): SuitePlan {
  const sut = config.sut;
  const options = sut?.options ?? suite.options;
  const idsConfig = sut?.ids ? { ids: sut.ids } : {};
  if (suite.role === 'server' && sut?.baseUrl) {
    return { target: { baseUrl: sut.baseUrl }, options, config: { ...idsConfig, ...(sut.seed ? { seed: true } : {}) } };
  }
  const sim = simulatorFor(suite);
  const transport = referenceTransport(sim, config);
  const tls = transport.certificate ? { tls: transport.certificate } : {};
  const trust = transport.certificate ? { tls: { ca: transport.certificate.cert } } : {};
  // The suite's https test leaves a plain-http reference run to a person, saying why, instead of failing it.
  const suiteConfig = { ...idsConfig, ...(transport.plainHttp ? { referenceHttp: transport.plainHttp } : {}) };
  const standIn = suite.role === 'client' && !sut ? referenceTriggerFor(suite, options, faults, transport.certificate) : undefined;
  const simulatorFaults = standIn ? [] : faults;
  const target: SuitePlan['target'] = {
    name: sim.title,
    start: async ({ onExchange }) => {
      const server = await sim.start({ ...suite.simulatorOptions, ...tls, faults: simulatorFaults, onExchange, host: config.simulators.host });
      return { baseUrl: server.url, close: () => server.close() };
    },
  };
  if (suite.role === 'server') {
    // The simulator stands in for the SUT: no SUT credentials or trust settings go to it.
    return { target, options, config: suiteConfig, http: { auth: undefined, headers: {}, tls: {}, ...trust } };
  }
  const trigger = standIn ?? sut?.triggers?.[suite.actorUnderTest];
  // A client actor only a reference server plays (the Measure Computer): with no SUT the suite drives
  // that server itself (the faults reach it through the suite's simulator); a SUT's base URL is where
  // the suite reads what the SUT serves besides calling out (e.g. reports under the Pull Option).
  const clientConfig = {
    ...suiteConfig,
    ...(!sut && !standIn ? { referenceServer: true } : {}),
    ...(sut?.baseUrl ? { sutBaseUrl: sut.baseUrl } : {}),
  };
  return { target, options, config: clientConfig, ...(transport.certificate ? { http: trust } : {}), ...(trigger ? { trigger } : {}) };
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
function referenceTriggerFor(suite: Suite<Fixture>, options: readonly string[], faults: readonly string[], certificate: RunCertificate | undefined): ReferenceTrigger | undefined {
  const client = referenceClientPlaying(suite.actorUnderTest);
  if (!client) return undefined;
  return {
    type: 'reference',
    name: client.title,
    run: ({ simulatorUrl, signal }) => client.run({ baseUrl: simulatorUrl, faults, options, signal, ...(certificate ? { ca: certificate.cert } : {}) }),
  };
}

/** HTTP settings towards the SUT: TLS trust, credentials, headers, timeouts, and what to redact. */
export function sutHttpConfig(config: HarnessConfig, secrets: string[]): HttpClientConfig {
  const sut = config.sut;
  const auth = sut?.auth?.bearerToken
    ? { type: 'bearer' as const, token: sut.auth.bearerToken }
    : sut?.auth?.basic
      ? { type: 'basic' as const, ...sut.auth.basic }
      : undefined;
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
