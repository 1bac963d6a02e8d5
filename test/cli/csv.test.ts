import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm, writeFile, copyFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvCommand } from '../../src/cli/commands/csv.js';
import { InputError, UsageError, type CliIo } from '../../src/cli/command.js';

const fixtures = fileURLToPath(new URL('../../fixtures/csv/', import.meta.url));
let dir: string;

function io(): CliIo & { out: string; err: string } {
  const state = {
    out: '',
    err: '',
    stdout(t: string) {
      state.out += t;
    },
    stderr(t: string) {
      state.err += t;
    },
    cwd: dir,
    env: {},
    signal: new AbortController().signal,
  };
  return state;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv-cli-'));
  for (const f of ['measure-beds-vents.json', 'measure-acquired-covid.json', 'report-nj-beds-vents.json', 'report-f001-acquired-covid.json', 'f001-acquired-covid.csv']) {
    await copyFile(join(fixtures, f), join(dir, f));
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('measure-conformance csv', () => {
  it('to-csv writes the canonical CSV of reports and Bundles to stdout', async () => {
    const report = JSON.parse(await readFile(join(dir, 'report-nj-beds-vents.json'), 'utf8'));
    const second = { ...report, id: 'b', subject: { identifier: { value: '36' } } };
    await writeFile(join(dir, 'bundle.json'), JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: second }] }));
    const t = io();
    expect(await csvCommand.run(['to-csv', '--measure', 'measure-beds-vents.json', 'report-nj-beds-vents.json', 'bundle.json'], t)).toBe(0);
    expect(t.err).toBe('');
    expect(t.out.split('\r\n')).toEqual([
      'subject,reporter,period-start,period-end,Beds,numTotBeds,numbeds,numBedsOcc,Ventilators,numVent,numVentUse',
      '34,NJ-DPH,2020-04-06T00:00:00-05:00,2020-04-07T00:00:00-05:00,,20000,15000,,,2250,1576',
      '36,NJ-DPH,2020-04-06T00:00:00-05:00,2020-04-07T00:00:00-05:00,,20000,15000,,,2250,1576',
      '',
    ]);
  });

  it('to-csv applies --map values in order and writes --out', async () => {
    const t = io();
    const code = await csvCommand.run(['to-csv', '--measure=measure-beds-vents.json', '--map', 'numVent$V', '--map', 'numTotBeds', '--out', 'out.csv', 'report-nj-beds-vents.json'], t);
    expect(code).toBe(0);
    expect(await readFile(join(dir, 'out.csv'), 'utf8')).toBe('subject,reporter,period-start,period-end,V,numTotBeds\r\n34,NJ-DPH,2020-04-06T00:00:00-05:00,2020-04-07T00:00:00-05:00,2250,20000\r\n');
  });

  it('from-csv writes a collection Bundle, or NDJSON', async () => {
    const t = io();
    expect(await csvCommand.run(['from-csv', '--measure', 'measure-acquired-covid.json', 'f001-acquired-covid.csv'], t)).toBe(0);
    const bundle = JSON.parse(t.out);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(bundle.entry).toHaveLength(1);
    expect(bundle.entry[0].resource.group[0].stratifier[0].stratum).toHaveLength(2);

    const n = io();
    expect(await csvCommand.run(['from-csv', '--ndjson', '--measure', 'measure-acquired-covid.json', 'f001-acquired-covid.csv'], n)).toBe(0);
    const lines = n.out.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).resourceType).toBe('MeasureReport');
  });

  it('from-csv passes --subject and the period parameters on', async () => {
    await writeFile(join(dir, 'noperiod.csv'), 'numVent\n7\n');
    const t = io();
    const args = [
      'from-csv',
      '--measure',
      'measure-beds-vents.json',
      '--subject',
      'urn:x|H1',
      '--period-start',
      '2020-04-06T00:00:00-05:00',
      '--period-end',
      '2020-04-07T00:00:00-05:00',
      '--ndjson',
      'noperiod.csv',
    ];
    expect(await csvCommand.run(args, t)).toBe(0);
    const report = JSON.parse(t.out);
    expect(report.subject).toEqual({ identifier: { system: 'urn:x', value: 'H1' } });
    expect(report.period).toEqual({ start: '2020-04-06T00:00:00-05:00', end: '2020-04-07T00:00:00-05:00' });
  });

  it('from-csv prints one line per error as FILE:row N column "X": message and exits 1, leaving no --out file', async () => {
    await writeFile(join(dir, 'bad.csv'), 'subject,period,numVent,bogus\nH,2020-04-06,abc,1\nH2,2020-04-06,-2,1\n');
    const t = io();
    expect(await csvCommand.run(['from-csv', '--measure', 'measure-beds-vents.json', '--out', 'bad.json', 'bad.csv'], t)).toBe(1);
    expect(t.err).toBe('bad.csv:row 1 column "bogus": unknown column: not a key column nor a group or population code of the Measure (use map to rename or select columns)\n');
    await expect(access(join(dir, 'bad.json'))).rejects.toThrow();

    await writeFile(join(dir, 'bad2.csv'), 'subject,period,numVent\nH,2020-04-06,abc\nH2,2020-04-06,-2\n');
    const u = io();
    expect(await csvCommand.run(['from-csv', '--measure', 'measure-beds-vents.json', 'bad2.csv'], u)).toBe(1);
    expect(u.err).toBe('bad2.csv:row 2 column "numVent": "abc" is not a non-negative integer count\nbad2.csv:row 3 column "numVent": count -2 is negative\n');
    expect(u.out).toBe('');
  });

  it('a missing or wrong file and a bad --map are input or usage errors (exit 2), named in one line', async () => {
    await expect(csvCommand.run(['from-csv', '--measure', 'measure-beds-vents.json', 'missing.csv'], io())).rejects.toThrow(new InputError('missing.csv: cannot read it (file not found)'));
    await expect(csvCommand.run(['to-csv', '--measure', 'missing.json', 'report-nj-beds-vents.json'], io())).rejects.toThrow(new InputError('missing.json: cannot read it (file not found)'));
    await expect(csvCommand.run(['to-csv', '--measure', 'report-nj-beds-vents.json', 'report-nj-beds-vents.json'], io())).rejects.toThrow(
      new InputError('report-nj-beds-vents.json: a MeasureReport, expected a Measure'),
    );
    await expect(csvCommand.run(['to-csv', '--measure', 'measure-beds-vents.json', '--map', 'nope', 'report-nj-beds-vents.json'], io())).rejects.toThrow(UsageError);
    await expect(csvCommand.run(['to-csv', '--measure', 'measure-beds-vents.json', '--map', 'nope', 'report-nj-beds-vents.json'], io())).rejects.toThrow(
      'map entry "nope": code "nope" is not a group or population code',
    );
  });

  it('exits 1 for input content that is not valid: JSON that does not parse, a report for another Measure', async () => {
    await writeFile(join(dir, 'broken.json'), '{"resourceType": "MeasureReport",');
    const b = io();
    expect(await csvCommand.run(['to-csv', '--measure', 'measure-beds-vents.json', 'broken.json'], b)).toBe(1);
    expect(b.err).toMatch(/^broken\.json: Invalid JSON at line 1, column \d+/);
    const d = io();
    expect(await csvCommand.run(['to-csv', '--measure', 'measure-beds-vents.json', 'report-f001-acquired-covid.json'], d)).toBe(1);
    expect(d.err).toContain('report-f001-acquired-covid.json: MeasureReport/csv-f001-20200406: measure');
  });

  it.each([
    [[], 'name a mode: to-csv or from-csv'],
    [['sideways'], "unknown mode 'sideways'"],
    [['to-csv', 'r.json'], '--measure MEASURE.json is required'],
    [['to-csv', '--measure', 'm.json'], 'name at least one MeasureReport or Bundle file'],
    [['from-csv', '--measure', 'm.json', 'a.csv', 'b.csv'], 'one CSV file only'],
    [['from-csv', '--measure', 'm.json', '--frobnicate', 'a.csv'], 'unknown option --frobnicate'],
    [['from-csv', '--mesure', 'm.json', 'a.csv'], 'unknown option --mesure; did you mean --measure?'],
    [['to-csv', '--measure', 'm.json', '--ndjson', 'r.json'], '--ndjson belongs to from-csv'],
    [['to-csv', '--measure'], '--measure needs a value'],
  ])('usage mistake %j throws UsageError (exit 2 via the dispatcher)', async (args, message) => {
    await expect(csvCommand.run(args, io())).rejects.toThrow(UsageError);
    await expect(csvCommand.run(args, io())).rejects.toThrow(message);
  });
});
