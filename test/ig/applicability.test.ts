// What a SUT claims, from its CapabilityStatement, then config and the command line.
import { describe, it, expect } from 'vitest';
import type { CapabilityStatement } from 'fhir/r4.js';
import { decideClaims, deletesOf, type ClaimInput, type Decision } from '../../ig/applicability.js';
import type { ActorId } from '../../ig/actors.js';
import { MEASURE_SOURCE_QM_CSV_PULL } from '../../ig/saner/capabilities.js';
import { MADX_CONTENT_CONSUMER } from '../../ig/madx/capabilities.js';

const OPTIONS: Record<string, string[]> = {
  QueryMeasureSource: ['Pull', 'CSV'],
  ProduceMeasureConsumer: ['Push', 'CSV', 'SupplementalData'],
  MadxContentConsumer: ['ValidateMadxMessage'],
  RpcContentConsumer: [],
  FhirServer: [],
};
const ACTORS: ActorId[] = ['FhirServer', 'QueryMeasureSource', 'ProduceMeasureConsumer', 'MadxContentConsumer', 'RpcContentConsumer'];

function statement(resources: { type: string; interactions: string[]; operations?: string[] }[], { rest, ...extra }: Partial<CapabilityStatement> = {}): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        resource: resources.map((r) => ({
          type: r.type as 'MeasureReport',
          interaction: r.interactions.map((code) => ({ code: code as 'read' })),
          ...(r.operations ? { operation: r.operations.map((name) => ({ name, definition: `http://hl7.org/fhir/uv/saner/OperationDefinition/${name}` })) } : {}),
        })),
        ...(rest?.[0]?.interaction ? { interaction: rest[0].interaction } : {}),
      },
    ],
    ...extra,
  };
}

const input = (over: Partial<ClaimInput> = {}): ClaimInput => ({ commandLineActors: [], configActors: [], triggered: [], commandLineOptions: [], configOptions: [], ...over });
const decide = (over: Partial<ClaimInput>) => decideClaims(ACTORS, (a) => OPTIONS[a] ?? [], input(over));
const find = (ds: Decision[], name: string) => ds.find((d) => d.name === name)!;
const PULL_ONLY = ['MeasureReport', 'Measure', 'Location', 'Organization'].map((type) => ({ type, interactions: ['read', 'search-type'] }));

describe('applicability', () => {
  it('a server declaring read and search of the Query Measure types is a Measure Source with Pull; no CSV operation, no CSV Option', () => {
    const ds = decide({ statement: statement(PULL_ONLY) });
    expect(find(ds, 'QueryMeasureSource')).toMatchObject({
      claimed: true,
      source: 'capability-statement',
      reason: expect.stringContaining('it declares read and search of MeasureReport, Measure, Location, Organization'),
    });
    expect(find(ds, 'QueryMeasureSource Pull')).toMatchObject({ claimed: true });
    expect(find(ds, 'QueryMeasureSource CSV')).toMatchObject({ claimed: false, reason: 'not claimed: it declares no $read-csv or $search-csv in the CapabilityStatement, and none in config' });
    expect(find(ds, 'ProduceMeasureConsumer')).toMatchObject({ claimed: false, reason: expect.stringContaining('it declares no create or update of MeasureReport') });
    expect(find(ds, 'MadxContentConsumer')).toMatchObject({ claimed: false, reason: expect.stringContaining('not inferred from what a server declares') });
    expect(find(ds, 'FhirServer')).toMatchObject({ claimed: true });
  });

  it('operations, a batch endpoint and instantiates claim options and actors', () => {
    const cs = statement(
      [
        ...PULL_ONLY.map((r) => (r.type === 'MeasureReport' ? { ...r, interactions: ['read', 'search-type', 'create', 'update'], operations: ['search-csv'] } : r)),
        { type: 'Measure', interactions: ['read'], operations: ['report-csv'] },
      ],
      { instantiates: [`${MADX_CONTENT_CONSUMER}|3.0.0`], rest: [{ mode: 'server', interaction: [{ code: 'batch' }] }] },
    );
    const ds = decide({ statement: cs });
    expect(find(ds, 'QueryMeasureSource CSV')).toMatchObject({ claimed: true, reason: 'claimed: it declares $search-csv' });
    expect(find(ds, 'ProduceMeasureConsumer')).toMatchObject({ claimed: true });
    expect(find(ds, 'ProduceMeasureConsumer CSV')).toMatchObject({ claimed: true, reason: 'claimed: it declares $report-csv' });
    expect(find(ds, 'ProduceMeasureConsumer SupplementalData')).toMatchObject({ claimed: true, reason: 'claimed: it declares a batch endpoint' });
    expect(find(ds, 'MadxContentConsumer')).toMatchObject({ claimed: true, reason: `claimed: the CapabilityStatement instantiates ${MADX_CONTENT_CONSUMER}` });
    expect(find(ds, 'RpcContentConsumer')).toMatchObject({ claimed: false });
  });

  it('instantiating a canonical claims its option by name, even without the operations', () => {
    const ds = decide({ statement: statement(PULL_ONLY, { instantiates: [MEASURE_SOURCE_QM_CSV_PULL] }) });
    expect(find(ds, 'QueryMeasureSource CSV')).toMatchObject({ claimed: true, reason: `claimed: the CapabilityStatement instantiates ${MEASURE_SOURCE_QM_CSV_PULL}` });
  });

  it('config and the command line override the statement; options named replace the inferred ones', () => {
    const ds = decide({ statement: statement(PULL_ONLY), configActors: ['MadxContentConsumer'], commandLineActors: ['ProduceMeasureConsumer'], configOptions: ['Pull'] });
    expect(find(ds, 'MadxContentConsumer')).toMatchObject({ claimed: true, source: 'config' });
    expect(find(ds, 'ProduceMeasureConsumer')).toMatchObject({ claimed: true, source: 'command-line' });
    expect(find(ds, 'QueryMeasureSource CSV')).toMatchObject({ claimed: false, source: 'config', reason: 'not claimed: not named in sut.options' });
    const cli = decide({ statement: statement(PULL_ONLY), configOptions: ['Pull'], commandLineOptions: ['CSV'] });
    expect(find(cli, 'QueryMeasureSource CSV')).toMatchObject({ claimed: true, source: 'command-line' });
  });

  it('with no statement the run says what it assumed', () => {
    const ds = decide({ unread: 'GET http://x/metadata answered 404' });
    expect(find(ds, 'QueryMeasureSource')).toMatchObject({ claimed: true, source: 'assumption', reason: expect.stringContaining('GET http://x/metadata answered 404') });
    expect(find(ds, 'QueryMeasureSource CSV')).toMatchObject({ claimed: true, source: 'assumption' });
  });

  it('tells which types the SUT lets the harness delete', () => {
    const deletes = deletesOf(
      statement([
        { type: 'MeasureReport', interactions: ['read', 'delete'] },
        { type: 'Measure', interactions: ['read'] },
      ]),
    );
    expect([deletes('MeasureReport'), deletes('Measure'), deletes('Library')]).toEqual([true, false, undefined]);
    expect(deletesOf(undefined)('MeasureReport')).toBeUndefined();
  });
});
