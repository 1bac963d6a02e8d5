import type { RequirementResult, RunResults } from '../engine/results.js';
import { requirementShares } from '../engine/verdict.js';

export interface Share {
  passed: number;
  total: number;
  /** Whole percent passed, rounded down so 99.6 % never reads as 100 %; null when there is nothing to count. */
  percent: number | null;
}

export interface Shares {
  shall: Share;
  /** SHOULD and SHOULD-NOT requirements: both are recommendations. */
  should: Share;
}

export interface CapabilityCoverage extends Shares {
  url: string;
  title: string;
  requirements: RequirementResult[];
}

export function share(passed: number, total: number): Share {
  return { passed, total, percent: total === 0 ? null : Math.floor((passed * 100) / total) };
}

/** The engine's SHALL/SHOULD tally (the one results.json's `capabilities` holds), with percents for display. */
export function sharesOf(requirements: readonly RequirementResult[]): Shares {
  const { shall, should } = requirementShares(requirements);
  return { shall: share(shall.passed, shall.total), should: share(should.passed, should.total) };
}

/**
 * Per CapabilityStatement, its requirements and the share of SHALL and SHOULD ones passed. Computed
 * from the requirement verdicts by the engine's own function rather than copied from
 * `results.capabilities`, which only lends titles and order (and was wrong in files written before
 * the two agreed); a capability named only by requirements is listed by its URL.
 */
export function capabilityCoverage(results: RunResults): CapabilityCoverage[] {
  const titles = new Map<string, string>();
  for (const c of results.capabilities) titles.set(c.url, c.title);
  for (const r of results.requirements) if (r.capability && !titles.has(r.capability)) titles.set(r.capability, r.capability);
  return [...titles].map(([url, title]) => {
    const requirements = results.requirements.filter((r) => r.capability === url);
    return { url, title, requirements, ...sharesOf(requirements) };
  });
}

export function requirementsWithoutCapability(results: RunResults): RequirementResult[] {
  return results.requirements.filter((r) => !r.capability);
}

/** The last path segment of a canonical URL, e.g. `MeasureSource-QueryMeasure-Pull`: short enough for a matrix cell. */
export function capabilityLabel(url: string): string {
  const segment = url
    .replace(/[/|#]+$/, '')
    .split(/[/|#]/)
    .pop();
  return segment || url;
}
