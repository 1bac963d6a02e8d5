/**
 * The reference Measure Source's fault modes: each makes the pushing client break one rule of
 * Produce Measure (with the CSV and Supplemental Data Options), so every test of the Measure Source
 * push suite can be shown to fail when the client misbehaves.
 */
import { defineFaults, type FaultIds } from '../../src/fhir/faults.js';

export const sourceClientFaults = defineFaults([
  { id: 'no-push', description: "Reads the Consumer's metadata when triggered and sends no report at all" },
  { id: 'no-create', description: 'Never creates with POST: every report goes by PUT to an id of its own making' },
  { id: 'wrong-content-type', description: 'Labels its JSON pushes application/json (and asks for it in Accept) instead of application/fhir+json' },
  { id: 'invalid-report', description: 'Pushes its XML report with a date not precise to the second, which PublicHealthMeasureReport forbids' },
  { id: 'no-update', description: 'Never revises a report it sent' },
  { id: 'update-by-post', description: 'Revises a report by creating it a second time (POST) instead of updating it' },
  { id: 'put-without-id', description: 'Sends its update without the id in the body' },
  { id: 'ignore-location', description: 'Ignores the Location the Consumer answered a create with and updates under the id its own copy had' },
  { id: 'csv-as-body', description: 'Posts its CSV to [base]/MeasureReport as a text/csv body instead of calling Measure/[id]/$report-csv' },
  { id: 'csv-input-as-string', description: 'Sends the CSV of $report-csv as a string parameter instead of the input Binary' },
  { id: 'csv-missing-period', description: 'Calls $report-csv without period-start and period-end' },
  { id: 'csv-bad-cell', description: 'Sends a CSV with a count that is not a number' },
  { id: 'batch-as-transaction', description: 'Sends its Supplemental Data as a transaction Bundle instead of a batch' },
  { id: 'batch-as-collection', description: 'Sends its Supplemental Data as a collection Bundle POSTed to [base]/Bundle (the actors.md reading, a warning by D5)' },
  { id: 'batch-wrong-order', description: 'Puts the supplemental resources before the MeasureReport in the batch' },
  { id: 'batch-missing-reference', description: "Leaves one resource the report's evaluatedResource names out of the batch" },
]);

export type SourceClientFault = FaultIds<typeof sourceClientFaults>;
