/**
 * The reference Measure Source's fault modes: each makes the pushing client break one rule of
 * Produce Measure (with the CSV and Supplemental Data Options), so every test of the Measure Source
 * push suite can be shown to fail when the client misbehaves.
 */
import type { FaultModeDef } from '../../src/fhir/server/index.js';

export const sourceClientFaults: readonly FaultModeDef[] = [
  { id: 'no-push', description: 'Reads the Consumer\'s metadata when triggered and sends no report at all', breaks: ['SANER-PM-SRC-002', 'SANER-PG-SRC-004'] },
  { id: 'no-create', description: 'Never creates with POST: every report goes by PUT to an id of its own making', breaks: ['SANER-PM-SRC-002'] },
  { id: 'wrong-content-type', description: 'Labels its JSON pushes application/json (and asks for it in Accept) instead of application/fhir+json', breaks: ['SANER-PM-PG-004'] },
  { id: 'invalid-report', description: 'Pushes its XML report with a date not precise to the second, which PublicHealthMeasureReport forbids', breaks: ['SANER-PM-PG-004', 'SANER-PM-SRC-001'] },
  { id: 'no-update', description: 'Never revises a report it sent', breaks: ['SANER-PM-SRC-003'] },
  { id: 'update-by-post', description: 'Revises a report by creating it a second time (POST) instead of updating it', breaks: ['SANER-PM-SRC-003'] },
  { id: 'put-without-id', description: 'Sends its update without the id in the body', breaks: ['SANER-PM-SRC-003'] },
  { id: 'ignore-location', description: 'Ignores the Location the Consumer answered a create with and updates under the id its own copy had', breaks: ['SANER-PM-SRC-003'] },
  { id: 'csv-as-body', description: 'Posts its CSV to [base]/MeasureReport as a text/csv body instead of calling Measure/[id]/$report-csv', breaks: ['SANER-CSVPUSH-SRC-002', 'SANER-PM-PG-005-SRC'] },
  { id: 'csv-input-as-string', description: 'Sends the CSV of $report-csv as a string parameter instead of the input Binary', breaks: ['SANER-OP-REPORTCSV-001-SRC'] },
  { id: 'csv-missing-period', description: 'Calls $report-csv without period-start and period-end', breaks: ['SANER-OP-REPORTCSV-003-SRC', 'SANER-OP-REPORTCSV-004-SRC'] },
  { id: 'csv-bad-cell', description: 'Sends a CSV with a count that is not a number', breaks: ['SANER-CSVPUSH-SRC-002'] },
  { id: 'batch-as-transaction', description: 'Sends its Supplemental Data as a transaction Bundle instead of a batch', breaks: ['SANER-SD-SRC-001', 'SANER-SD-PG-001-SRC'] },
  { id: 'batch-as-collection', description: 'Sends its Supplemental Data as a collection Bundle POSTed to [base]/Bundle (the actors.md reading, a warning by D5)', breaks: ['SANER-SD-PG-001-SRC'] },
  { id: 'batch-wrong-order', description: 'Puts the supplemental resources before the MeasureReport in the batch', breaks: ['SANER-SD-PG-002'] },
  { id: 'batch-missing-reference', description: 'Leaves one resource the report\'s evaluatedResource names out of the batch', breaks: ['SANER-SD-PG-002', 'SANER-SD-SRC-001'] },
];
