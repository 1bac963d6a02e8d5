/**
 * The Measure Computer's own fault modes, each breaking one Compute Measure behaviour a suite
 * checks: what it counts, what it reports, where the report goes, which Measure and data it uses,
 * and what `$evaluate-measure` answers and stores.
 */
import { defineFaults, type ActiveFaults, type FaultIds } from '../../src/fhir/faults.js';

export const measureComputerFaults = defineFaults([
  { id: 'off-by-one', description: "Reports the first population's count one higher than the Data Source's matches" },
  { id: 'drop-stratifier', description: 'Leaves the stratifiers out of the report' },
  { id: 'no-push', description: 'Computes and stores reports but never pushes them to the Measure Consumer' },
  { id: 'stale-measure', description: 'Keeps evaluating the first version of a Measure it read, so a changed Measure changes nothing' },
  { id: 'skip-data-source', description: 'Reports zero counts without querying the Data Source' },
  { id: 'ignore-period', description: 'Queries without the reporting-period criteria, counting every day at once' },
  { id: 'period-end-day-late', description: "Writes the report's period end a day after the end of the period computed" },
  { id: 'evaluate-ignores-period', description: '$evaluate-measure answers with the report of the period before the one asked' },
  { id: 'evaluate-stores-always', description: '$evaluate-measure stores the report even when report is false or absent' },
  { id: 'evaluate-never-stores', description: '$evaluate-measure with report=true returns the report without storing or pushing it' },
  { id: 'evaluate-duplicates', description: '$evaluate-measure with report=true stores each run as a new report instead of updating the one of the same period' },
  {
    id: 'skip-search-types',
    description: 'Searches only Encounter, Procedure, Location and Observation (what ComputeCovidImpact needs) and reports 0 for populations of any other type',
  },
  {
    id: 'count-unevaluable-as-zero',
    description: 'Reports 0, and no evaluation error, for a population whose query the Data Source cannot answer',
  },
  { id: 'no-in-fallback', description: 'Keeps sending :in to a Data Source that refuses it instead of the value set codes' },
]);

export type MeasureComputerFault = FaultIds<typeof measureComputerFaults>;
/** The faults the computing code sees (the server core applies its own). */
export type MeasureComputerFaults = ActiveFaults<MeasureComputerFault>;
