/**
 * Before a run against a SUT: one request checks the SUT answers at all (a SUT that does not is
 * exit code 3, not a conformance failure), and its CapabilityStatement, with config and the
 * command line, decides which actors and options apply. The decisions go to the plans (a suite
 * whose actor is not claimed is skipped saying why), to the console and to results.json.
 */
import type { CapabilityStatement } from 'fhir/r4.js';
import { HttpClient, TransportError } from '../http/client.js';
import { projectFormats } from '../fhir/codec.js';
import type { ApplicabilityDecision, Suite } from '../engine/index.js';
import type { HarnessConfig } from '../config/types.js';
import { decideClaims, type ClaimInput, type Decision } from '../../ig/applicability.js';
import { isActorId, type ActorId } from '../../ig/actors.js';
import { resolveActors, sutHttpConfig, triggerActor } from './selection.js';

/** What the SUT's metadata endpoint gave: its statement, or why there is none. */
export type Metadata = { statement: CapabilityStatement } | { unread: string };

export class SutUnreachable extends Error {
  override name = 'SutUnreachable';
}

/** GET [base]/metadata within the request deadline; a transport failure means the SUT is unreachable. */
export async function readMetadata(config: HarnessConfig, secrets: string[]): Promise<Metadata> {
  const baseUrl = config.sut?.baseUrl;
  if (!baseUrl) return { unread: 'the SUT has no base URL' };
  const http = new HttpClient({ ...sutHttpConfig(config, secrets), baseUrl });
  try {
    const res = await http.request({ method: 'GET', url: 'metadata', headers: { accept: 'application/fhir+json' } });
    if (res.status !== 200) return { unread: `GET ${baseUrl}/metadata answered ${res.status}` };
    try {
      const resource = projectFormats.parse(res.text, 'json');
      return resource.resourceType === 'CapabilityStatement'
        ? { statement: resource as CapabilityStatement }
        : { unread: `GET ${baseUrl}/metadata returned a ${resource.resourceType}, not a CapabilityStatement` };
    } catch (err) {
      return { unread: `GET ${baseUrl}/metadata did not return readable JSON: ${err instanceof Error ? err.message : String(err)}` };
    }
  } catch (err) {
    if (err instanceof TransportError) throw new SutUnreachable(`the SUT at ${baseUrl} does not answer: ${err.message.replace(/^GET \S+: /, '')}`);
    throw err;
  } finally {
    await http.close();
  }
}

export interface Claims {
  decisions: Decision[];
  /** The actor's decision, for planning its suites. */
  actor(actor: string): Decision | undefined;
  /** The options claimed for an actor, and why each other one is not. */
  options(actor: string): { claimed: string[]; reasons: Record<string, string> };
}

/** Decides, for the selected suites, which actors and options the SUT claims. */
export function decide(suites: readonly Suite<object>[], config: HarnessConfig, metadata: Metadata, cli: { suite: string[]; actor: string[]; option: string[] }): Claims {
  const ignored: string[] = [];
  const actors = [...new Set(suites.map((s) => s.actorUnderTest))].filter(isActorId);
  const named = (names: readonly string[]) => resolveActors(names, '', ignored);
  const input: ClaimInput = {
    ...('statement' in metadata ? { statement: metadata.statement } : { unread: metadata.unread }),
    // A suite named on the command line claims its actor; the default selection claims nothing.
    commandLineActors: [...named(cli.actor), ...(cli.suite.length ? suites.map((s) => s.actorUnderTest).filter(isActorId) : [])],
    configActors: named([...(config.actors ?? []), ...(config.sut?.actors ?? [])]),
    triggered: Object.keys(config.sut?.triggers ?? {}).map(triggerActor),
    commandLineOptions: cli.option,
    configOptions: config.sut?.options ?? [],
  };
  const optionsOf = (actor: ActorId) => [...new Set(suites.filter((s) => s.actorUnderTest === actor).flatMap((s) => s.options))];
  const decisions = decideClaims(actors, optionsOf, input);
  return fromDecisions(decisions);
}

/** With no SUT the bundled simulators and reference clients claim every actor and option of the selected suites. */
export function referenceClaims(suites: readonly Suite<object>[]): Claims {
  const decisions: Decision[] = [];
  for (const actor of [...new Set(suites.map((s) => s.actorUnderTest))].filter(isActorId)) {
    decisions.push({
      kind: 'actor',
      name: actor,
      actor,
      claimed: true,
      source: 'reference-run',
      reason: 'claimed: the bundled reference implementation plays it',
      capabilities: [...new Set(suites.filter((s) => s.actorUnderTest === actor).flatMap((s) => s.capabilities))],
    });
    for (const option of [...new Set(suites.filter((s) => s.actorUnderTest === actor).flatMap((s) => s.options))]) {
      decisions.push({
        kind: 'option',
        name: `${actor} ${option}`,
        actor,
        option,
        claimed: true,
        source: 'reference-run',
        reason: 'claimed: the bundled reference implementation has every option',
        capabilities: [],
      });
    }
  }
  return fromDecisions(decisions);
}

function fromDecisions(decisions: Decision[]): Claims {
  return {
    decisions,
    actor: (actor) => decisions.find((d) => d.kind === 'actor' && d.actor === actor),
    options(actor) {
      const own = decisions.filter((d) => d.kind === 'option' && d.actor === actor);
      return { claimed: own.filter((d) => d.claimed).map((d) => d.option!), reasons: Object.fromEntries(own.filter((d) => !d.claimed).map((d) => [d.option!, d.reason])) };
    },
  };
}

/** The decisions as results.json records them, each with the suites it governs. */
export function applicability(claims: Claims, suites: readonly Suite<object>[]): ApplicabilityDecision[] {
  return claims.decisions.map((d) => ({
    kind: d.kind,
    name: d.name,
    capabilities: d.capabilities.length ? d.capabilities : d.kind === 'actor' ? [...new Set(suites.filter((s) => s.actorUnderTest === d.actor).flatMap((s) => s.capabilities))] : [],
    suites: suites.filter((s) => s.actorUnderTest === d.actor && (d.kind === 'actor' || s.options.includes(d.option!))).map((s) => s.id),
    claimed: d.claimed,
    source: d.source,
    reason: d.reason,
  }));
}

/** One line per decision, for the console before the run. */
export function describeClaims(claims: Claims): string {
  return claims.decisions.map((d) => `  ${d.kind === 'option' ? '  ' : ''}${d.name}: ${d.reason}`).join('\n');
}
