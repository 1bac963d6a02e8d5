import type { RequirementResult, RunResults } from '../engine/results.js';

export interface Share {
  passed: number;
  total: number;
  /** Whole percent passed, rounded down so 99.6 % never reads as 100 %; null when there is nothing to count. */
  percent: number | null;
}

export interface CapabilityCoverage {
  url: string;
  title: string;
  shall: Share;
  /** SHOULD and SHOULD-NOT requirements: both are recommendations. */
  should: Share;
  requirements: RequirementResult[];
}

export function share(passed: number, total: number): Share {
  return { passed, total, percent: total === 0 ? null : Math.floor((passed * 100) / total) };
}

function shareOf(requirements: RequirementResult[], expectations: string[]): Share {
  const counted = requirements.filter((r) => expectations.includes(r.expectation));
  return share(counted.filter((r) => r.verdict === 'pass').length, counted.length);
}

/**
 * Per CapabilityStatement, its requirements and the share of SHALL and SHOULD ones passed. Computed
 * from the requirement verdicts (the source of truth) rather than copied from `results.capabilities`,
 * which only lends titles and order; a capability named only by requirements is listed by its URL.
 */
export function capabilityCoverage(results: RunResults): CapabilityCoverage[] {
  const titles = new Map<string, string>();
  for (const c of results.capabilities) titles.set(c.url, c.title);
  for (const r of results.requirements) if (r.capability && !titles.has(r.capability)) titles.set(r.capability, r.capability);
  return [...titles].map(([url, title]) => {
    const requirements = results.requirements.filter((r) => r.capability === url);
    return { url, title, requirements, shall: shareOf(requirements, ['SHALL']), should: shareOf(requirements, ['SHOULD', 'SHOULD-NOT']) };
  });
}

export function requirementsWithoutCapability(results: RunResults): RequirementResult[] {
  return results.requirements.filter((r) => !r.capability);
}
