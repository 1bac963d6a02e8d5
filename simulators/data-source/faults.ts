/**
 * The Data Source's own fault modes, beyond the core ones (ignore-date-filter, drop-include,
 * ignore-count, no-next-link, no-post-search, ignore-search-param:<name>, …): each makes a Measure
 * Computer that trusts it report other counts, or has to notice the refusal.
 */
import { defineFaults, type FaultIds } from '../../src/fhir/faults.js';

export const dataSourceFaults = defineFaults([
  {
    id: 'in-modifier-400',
    description: 'Claims :in and :not-in in its CapabilityStatement but answers searches using them with 400',
  },
  {
    id: 'date-end-inclusive',
    description: 'Reads date=lt as date=le, so a result taken at the end instant of a period is counted in it',
  },
  {
    id: 'token-ignores-system',
    description: 'Matches a token search (code=system|code) on the code alone, so a code of another system is found too',
  },
]);

export type DataSourceFault = FaultIds<typeof dataSourceFaults>;
