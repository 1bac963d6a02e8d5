import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { PassThrough } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fireTrigger, type TriggerContext, type PromptIo } from '../../src/engine/triggers.js';
import { TestStop, TriggerError } from '../../src/engine/errors.js';
import { HttpClient } from '../../src/http/client.js';
import type { HttpExchange } from '../../src/engine/results.js';
import { startServer, type TestServer } from './servers.js';
import { parseConfig } from '../../src/config/load.js';

let dir: string;
let hook: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mc-trigger-'));
  hook = await startServer((req, res) => {
    res.writeHead(req.url === '/broken' ? 500 : 204);
    res.end();
  });
});
afterAll(async () => {
  await hook.close();
  rmSync(dir, { recursive: true, force: true });
});

function context(extra: Partial<TriggerContext> = {}): TriggerContext & { notes: string[]; exchanges: HttpExchange[] } {
  const notes: string[] = [];
  const exchanges: HttpExchange[] = [];
  return {
    simulatorUrl: 'http://127.0.0.1:9999/fhir',
    suiteId: 'saner/push/measure-source',
    testId: 'saner/push/measure-source/sends-a-report',
    description: 'send a MeasureReport',
    http: new HttpClient({ secrets: ['hook-secret-123'] }, (e) => exchanges.push(e)),
    note: (t) => notes.push(t),
    signal: new AbortController().signal,
    notes,
    exchanges,
    ...extra,
  };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('command trigger', () => {
  it('runs the command with the simulator URL and test in its environment', async () => {
    const out = join(dir, 'env.txt');
    const ctx = context();
    await fireTrigger({ type: 'command', command: `printf '%s|%s|%s|%s' "$MC_SIMULATOR_URL" "$MC_SUITE_ID" "$MC_TEST_ID" "$MC_TRIGGER" > '${out}'; echo done` }, ctx);
    expect(readFileSync(out, 'utf8')).toBe('http://127.0.0.1:9999/fhir|saner/push/measure-source|saner/push/measure-source/sends-a-report|send a MeasureReport');
    expect(ctx.notes).toEqual([expect.stringContaining('trigger command: printf'), 'trigger command output:\ndone', 'trigger command exited with 0']);
  });

  it('a command that exits non-zero is evidence about the SUT: its exit status and output come back, nothing is thrown', async () => {
    const ctx = context();
    const outcome = await fireTrigger({ type: 'command', command: 'echo "cannot reach SUT" >&2; exit 3' }, ctx);
    expect(outcome).toEqual({ kind: 'command', exitCode: 3, output: 'cannot reach SUT', finished: true });
    expect(ctx.notes).toContain('trigger command exited with 3');
  });

  it('tells the command what the suite asks to see', async () => {
    const out = join(dir, 'asks.txt');
    await fireTrigger(
      { type: 'command', command: `printf '%s|%s' "$MC_ASKS" "$MC_ASKS_TEXT" > '${out}'` },
      context({
        asks: [
          { token: 'Location/read', says: 'read a Location' },
          { token: 'Location/search-type?_id', says: 'search Location by _id' },
        ],
      }),
    );
    expect(readFileSync(out, 'utf8')).toBe('Location/read Location/search-type?_id|read a Location\nsearch Location by _id');
  });

  it('a command that outlives its timeout is killed with its children and reported', async () => {
    const marker = join(dir, 'late.txt');
    // The subshell is a child of the shell: killing only the shell would leave it to create the marker.
    const err = await rejection(fireTrigger({ type: 'command', command: `(sleep 1; touch '${marker}') & wait`, timeoutMs: 200 }, context()));
    expect(err).toBeInstanceOf(TriggerError);
    expect(err.message).toMatch(/^trigger command did not finish within 200 ms: \(sleep 1/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(() => readFileSync(marker)).toThrow();
  });

  it('an interrupted run stops the command', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = await rejection(fireTrigger({ type: 'command', command: 'sleep 5' }, context({ signal: controller.signal })));
    expect(err.message).toMatch(/^interrupted: sleep 5/);
  });
});

describe('webhook trigger', () => {
  it('calls the webhook with placeholders filled in and keeps the exchange as evidence, secrets redacted', async () => {
    const ctx = context();
    await fireTrigger(
      { type: 'webhook', url: `${hook.url}/go?test={MC_TEST_ID}`, headers: { 'x-token': 'hook-secret-123', 'content-type': 'application/json' }, body: '{"target":"{MC_SIMULATOR_URL}"}' },
      ctx,
    );
    const received = hook.requests.at(-1)!;
    expect(received.method).toBe('POST');
    expect(received.url).toBe(`/go?test=${encodeURIComponent('saner/push/measure-source/sends-a-report')}`);
    expect(JSON.parse(received.body)).toEqual({ target: 'http://127.0.0.1:9999/fhir' });
    expect(received.headers['x-token']).toBe('hook-secret-123');
    expect(ctx.exchanges).toHaveLength(1);
    expect(ctx.exchanges[0]!.status).toBe(204);
    expect(ctx.exchanges[0]!.requestHeaders['x-token']).toBe('[redacted]');
  });

  it('a non-2xx answer is a trigger error', async () => {
    const err = await rejection(fireTrigger({ type: 'webhook', url: `${hook.url}/broken`, method: 'PUT' }, context()));
    expect(err).toBeInstanceOf(TriggerError);
    expect(err.message).toMatch(/^trigger webhook PUT .*\/broken answered 500, expected 2xx$/);
  });
});

describe('prompt trigger', () => {
  it('without a terminal it ends the test as manual instead of hanging', async () => {
    const io: PromptIo = { input: new PassThrough(), output: new PassThrough() };
    const err = await rejection(fireTrigger({ type: 'prompt', message: 'Open the vendor console' }, context({ prompt: io })));
    expect(err).toBeInstanceOf(TestStop);
    expect((err as TestStop).kind).toBe('manual');
    expect(err.message).toContain('stdin is not a terminal');
    expect(err.message).toContain('send a MeasureReport');
  });

  it('on a terminal it prints the step and waits for Enter', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const output = new PassThrough();
    let printed = '';
    output.on('data', (c: Buffer) => (printed += c.toString()));
    const ctx = context({ prompt: { input, output } });
    let resolved = false;
    const done = fireTrigger({ type: 'prompt', message: 'Open the vendor console' }, ctx).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false);
    input.write('\n');
    await done;
    expect(printed).toContain('Open the vendor console');
    expect(printed).toContain('Now: send a MeasureReport');
    expect(printed).toContain('http://127.0.0.1:9999/fhir');
    expect(ctx.notes).toEqual(['prompt confirmed by the operator: send a MeasureReport']);
  });

  it('asks one thing at a time when suites running side by side both prompt', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const output = new PassThrough();
    let printed = '';
    output.on('data', (c: Buffer) => (printed += c.toString()));
    const first = fireTrigger({ type: 'prompt' }, context({ description: 'first step', prompt: { input, output } }));
    const second = fireTrigger({ type: 'prompt' }, context({ description: 'second step', prompt: { input, output } }));
    await new Promise((r) => setTimeout(r, 20));
    expect(printed).toContain('first step');
    expect(printed).not.toContain('second step');
    input.write('\n');
    await first;
    await new Promise((r) => setTimeout(r, 20));
    expect(printed).toContain('second step');
    input.write('\n');
    await second;
  });

  it('stdin closing before Enter is a trigger error', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const done = rejection(fireTrigger({ type: 'prompt' }, context({ prompt: { input, output: new PassThrough() } })));
    input.end();
    expect((await done).message).toBe('stdin closed before Enter was pressed');
  });
});

describe('none trigger', () => {
  it('only notes that the harness waits for the SUT', async () => {
    const ctx = context();
    await fireTrigger({ type: 'none' }, ctx);
    expect(ctx.notes).toEqual(['waiting for the SUT to act on its own: send a MeasureReport']);
  });
});

describe('reference trigger', () => {
  it('runs the in-process client against the simulator URL and notes who plays the SUT', async () => {
    const ctx = context();
    const seen: string[] = [];
    await fireTrigger({ type: 'reference', name: 'reference Measure Consumer client', run: async ({ simulatorUrl }) => void seen.push(simulatorUrl) }, ctx);
    expect(seen).toEqual(['http://127.0.0.1:9999/fhir']);
    expect(ctx.notes).toEqual(['reference Measure Consumer client plays the SUT: send a MeasureReport']);
  });

  it('a reference client that gives up is evidence about it, as a non-zero exit is', async () => {
    const ctx = context();
    const outcome = await fireTrigger({ type: 'reference', name: 'reference client', run: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9999')) }, ctx);
    expect(outcome).toEqual({ kind: 'reference', failure: 'connect ECONNREFUSED 127.0.0.1:9999', finished: true });
    expect(ctx.notes).toContain('reference client gave up: connect ECONNREFUSED 127.0.0.1:9999');
  });

  it("passes the run's signal, so an interrupted run stops the client", async () => {
    const controller = new AbortController();
    const run = fireTrigger(
      {
        type: 'reference',
        name: 'reference client',
        run: ({ signal }) => new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
      },
      context({ signal: controller.signal }),
    );
    controller.abort();
    expect((await rejection(run)).message).toBe('aborted');
  });

  it('config.yaml cannot name it: only the harness builds reference triggers', () => {
    expect(() => parseConfig('sut:\n  name: A\n  triggers:\n    MeasureConsumer:\n      type: reference\n', 'config.yaml', {})).toThrow(/config\.yaml:\d sut\.triggers\.MeasureConsumer/);
  });
});
