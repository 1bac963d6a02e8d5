import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { RunResults } from '../../src/engine/results.js';
import { captureIo } from '../cli/cli-io.js';

describe('the report of a client SUT run', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mc-client-run-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is headed with the SUT as a client that called the harness, not with the reference simulators', async () => {
    // A Measure Consumer the harness triggers by a command that sends nothing: a real SUT, not a stand-in.
    await writeFile(
      join(dir, 'config.yaml'),
      [
        'sut:',
        '  name: Acme consumer',
        '  actors: [MeasureConsumer]',
        '  options: [Pull]',
        '  triggers:',
        '    MeasureConsumer: { type: command, command: "true" }',
        'timeouts:',
        '  waitMs: 500',
      ].join('\n'),
    );
    const io = captureIo(dir);
    expect(await main(['run', '--suite', 'saner/query-measure/measure-consumer', '--out', 'out'], io)).toBe(1);
    const results = JSON.parse(await readFile(join(dir, 'out', 'results.json'), 'utf8')) as RunResults;
    expect(results.sut).toEqual({ name: 'Acme consumer', simulated: false });
    const html = await readFile(join(dir, 'out', 'index.html'), 'utf8');
    expect(html).toContain('<div class="url" id="sut-where">as a client it called the harness&#x27;s simulators (1 suite, targets listed with the tests)</div>');
    expect(html).not.toContain('reference simulators stood in');
  }, 60_000);
});
