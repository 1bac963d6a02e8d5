/**
 * The Measure Computer's own fault modes, each breaking one Compute Measure behaviour a suite
 * checks: what it counts, what it reports, where the report goes, which Measure and data it uses,
 * and what `$evaluate-measure` answers and stores.
 */
import type { FaultModeDef } from '../../src/fhir/server/index.js';

export const measureComputerFaults: readonly FaultModeDef[] = [
  { id: 'off-by-one', description: "Reports the first population's count one higher than the Data Source's matches", breaks: ['SANER-CM-PG-005'] },
  { id: 'drop-stratifier', description: 'Leaves the stratifiers out of the report', breaks: ['SANER-CM-PG-005'] },
  { id: 'no-push', description: 'Computes and stores reports but never pushes them to the Measure Consumer', breaks: ['SANER-CM-PG-001'] },
  { id: 'stale-measure', description: 'Keeps evaluating the first version of a Measure it read, so a changed Measure changes nothing', breaks: ['SANER-CM-PG-009'] },
  { id: 'skip-data-source', description: 'Reports zero counts without querying the Data Source', breaks: ['SANER-CM-PG-002', 'SANER-CM-PG-005'] },
  { id: 'ignore-period', description: 'Queries without the reporting-period criteria, counting every day at once', breaks: ['SANER-CM-PG-007'] },
  { id: 'period-end-day-late', description: "Writes the report's period end a day after the end of the period computed", breaks: ['SANER-TP-005'] },
  { id: 'evaluate-ignores-period', description: '$evaluate-measure answers with the report of the period before the one asked', breaks: ['SANER-OP-EVAL-001', 'SANER-OP-EVAL-002'] },
  { id: 'evaluate-stores-always', description: '$evaluate-measure stores the report even when report is false or absent', breaks: ['SANER-OP-EVAL-003'] },
  { id: 'evaluate-never-stores', description: '$evaluate-measure with report=true returns the report without storing or pushing it', breaks: ['SANER-OP-EVAL-003'] },
  { id: 'evaluate-duplicates', description: '$evaluate-measure with report=true stores each run as a new report instead of updating the one of the same period', breaks: ['SANER-OP-EVAL-003'] },
  {
    id: 'skip-search-types',
    description: 'Searches only Encounter, Procedure, Location and Observation (what ComputeCovidImpact needs) and reports 0 for populations of any other type',
    breaks: ['SANER-CM-MC-002', 'SANER-CM-MC-024', 'SANER-CM-MC-036'],
  },
  {
    id: 'count-unevaluable-as-zero',
    description: 'Reports 0, and no evaluation error, for a population whose query the Data Source cannot answer',
    breaks: ['SANER-CM-PG-006'],
  },
  { id: 'no-in-fallback', description: 'Keeps sending :in to a Data Source that refuses it instead of the value set codes', breaks: ['SANER-CM-PG-004'] },
];
