/**
 * Triggers make a client SUT act: a shell command, a webhook, a person at the terminal, nothing
 * (the SUT acts on its own schedule), or, with no SUT configured, a bundled reference client run in
 * process. Each is told what the suite wants to see (the asks), reports what it did as evidence,
 * and none can hang a run. How the SUT ended (a command's exit status and output, a reference
 * client's failure) is evidence about the SUT, not a harness error: a client that exits 1 after a
 * refusal still sent what it sent. Only a trigger that could not be carried out (a command that
 * does not finish, a webhook that refuses) is an error.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { HttpClient } from '../http/client.js';
import { TestStop, TriggerError } from './errors.js';
import { formatDuration } from './time.js';

/** The kinds config.yaml can name. */
export type ConfiguredTrigger =
  | { type: 'command'; command: string; timeoutMs?: number }
  | { type: 'webhook'; url: string; method?: string; headers?: Record<string, string>; body?: string }
  | { type: 'prompt'; message?: string }
  | { type: 'none' };

/**
 * A reference client standing in for a client SUT when none is configured; only the harness
 * builds one (config.yaml cannot), so the client's code runs in the harness process.
 */
export interface ReferenceTrigger {
  type: 'reference';
  /** Who plays the SUT, for the evidence, e.g. "reference Measure Consumer client". */
  name: string;
  run(ctx: { simulatorUrl: string; signal: AbortSignal; asks: readonly string[] }): Promise<void>;
}

export type Trigger = ConfiguredTrigger | ReferenceTrigger;

/** The terminal a prompt trigger talks to; injectable so tests need no TTY. */
export interface PromptIo {
  input: Readable & { isTTY?: boolean };
  output: Writable;
}

export interface TriggerContext {
  simulatorUrl: string;
  suiteId: string;
  testId: string;
  /** What the SUT should do now, in words, e.g. "send a MeasureReport to the simulator". */
  description: string;
  /** For webhooks: records the exchange on the current test. */
  http: HttpClient;
  note(text: string): void;
  signal: AbortSignal;
  prompt?: PromptIo;
  /** What this step tells the SUT besides the simulator, e.g. a second server's URL or a period (`MC_*` names). */
  variables?: Readonly<Record<string, string>>;
  /**
   * What the suite wants to see the SUT do, as interaction tokens (`Location/read`,
   * `MeasureReport/search-type?_id`, `MeasureReport/$search-csv`), each with its meaning in words.
   */
  asks?: readonly Ask[];
}

/** One thing a suite asks a client SUT to show. */
export interface Ask {
  /** `Type/interaction`, optionally `?param` or `$operation`: e.g. `Location/search-type?_id`. */
  token: string;
  /** The same in words, e.g. `search Location by _id`. */
  says: string;
}

/** How a trigger ended: evidence about the SUT, read by the tests of how a client reports errors. */
export interface TriggerOutcome {
  /** `replay`: nobody was triggered; the traffic was recorded earlier (a replayed environment). */
  kind: Trigger['type'] | 'replay';
  /** A command's exit status; null when a signal ended it. */
  exitCode?: number | null;
  /** The last lines of what a command printed. */
  output?: string;
  /** Why a reference client gave up (its stand-in for a non-zero exit). */
  failure?: string;
  /** The SUT has done its part (a reference client returned, a command exited): little more traffic is to come. */
  finished: boolean;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
const OUTPUT_KEPT = 4096;

/**
 * Values a command sees in its environment and a webhook can place in its URL or body as `{name}`:
 * `MC_ASKS` lists the tokens of what the suite wants to see, space-separated, and `MC_ASKS_TEXT`
 * the same in words, one per line.
 */
export function triggerVariables(ctx: TriggerContext): Record<string, string> {
  return {
    MC_SIMULATOR_URL: ctx.simulatorUrl,
    MC_SUITE_ID: ctx.suiteId,
    MC_TEST_ID: ctx.testId,
    MC_TRIGGER: ctx.description,
    MC_ASKS: (ctx.asks ?? []).map((a) => a.token).join(' '),
    MC_ASKS_TEXT: (ctx.asks ?? []).map((a) => a.says).join('\n'),
    ...ctx.variables,
  };
}

export async function fireTrigger(trigger: Trigger, ctx: TriggerContext): Promise<TriggerOutcome> {
  if (ctx.asks?.length) ctx.note(`asked the SUT to show: ${ctx.asks.map((a) => a.says).join('; ')}`);
  switch (trigger.type) {
    case 'none':
      ctx.note(`waiting for the SUT to act on its own: ${ctx.description}`);
      return { kind: 'none', finished: false };
    case 'command':
      return runCommand(trigger, ctx);
    case 'webhook':
      await callWebhook(trigger, ctx);
      return { kind: 'webhook', finished: false };
    case 'prompt':
      await askPerson(trigger, ctx);
      return { kind: 'prompt', finished: true };
    case 'reference':
      return runReference(trigger, ctx);
  }
}

async function runReference(trigger: ReferenceTrigger, ctx: TriggerContext): Promise<TriggerOutcome> {
  ctx.note(`${trigger.name} plays the SUT: ${ctx.description}`);
  try {
    await trigger.run({ simulatorUrl: ctx.simulatorUrl, signal: ctx.signal, asks: (ctx.asks ?? []).map((a) => a.token) });
    return { kind: 'reference', finished: true };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const failure = err instanceof Error ? err.message : String(err);
    ctx.note(`${trigger.name} gave up: ${failure}`);
    return { kind: 'reference', failure, finished: true };
  }
}

async function runCommand(trigger: Extract<Trigger, { type: 'command' }>, ctx: TriggerContext): Promise<TriggerOutcome> {
  const timeoutMs = trigger.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  ctx.note(`trigger command: ${trigger.command}`);
  const child = spawn(trigger.command, {
    shell: true,
    env: { ...process.env, ...triggerVariables(ctx) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // The shell's children must go too, or a command that backgrounds work outlives the run.
  const kill = () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    try {
      if (process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  let stopped: string | undefined;
  const timer = setTimeout(() => {
    stopped = `trigger command did not finish within ${formatDuration(timeoutMs)}`;
    kill();
  }, timeoutMs);
  const onAbort = () => {
    stopped = 'interrupted';
    kill();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    const output = out.trim();
    if (output) ctx.note(`trigger command output:\n${output}`);
    if (stopped) throw new TriggerError(`${stopped}: ${trigger.command}`);
    ctx.note(`trigger command exited with ${code ?? 'a signal'}`);
    return { kind: 'command', exitCode: code, ...(output ? { output: lastLines(output, 20) } : {}), finished: true };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

async function callWebhook(trigger: Extract<Trigger, { type: 'webhook' }>, ctx: TriggerContext): Promise<void> {
  const vars = triggerVariables(ctx);
  const fill = (text: string, encode: (v: string) => string = (v) => v) => text.replace(/\{(MC_[A-Z_]+)\}/g, (m, name: string) => (vars[name] !== undefined ? encode(vars[name]) : m));
  // In the URL, values are encoded so a URL, a test id's slashes or a description's spaces stay one query value.
  const url = fill(trigger.url, encodeURIComponent);
  const res = await ctx.http.request({
    method: trigger.method ?? 'POST',
    url,
    headers: trigger.headers ?? {},
    ...(trigger.body !== undefined ? { body: fill(trigger.body) } : {}),
    signal: ctx.signal,
  });
  if (res.status < 200 || res.status > 299) {
    throw new TriggerError(`trigger webhook ${res.exchange.method} ${res.exchange.url} answered ${res.status}, expected 2xx`);
  }
}

/** Suites run side by side, but one person answers one prompt at a time. */
let promptTurn: Promise<void> = Promise.resolve();

function askPerson(trigger: Extract<Trigger, { type: 'prompt' }>, ctx: TriggerContext): Promise<void> {
  const mine = promptTurn.then(() => promptOnce(trigger, ctx));
  promptTurn = mine.catch(() => undefined);
  return mine;
}

async function promptOnce(trigger: Extract<Trigger, { type: 'prompt' }>, ctx: TriggerContext): Promise<void> {
  const io = ctx.prompt ?? { input: process.stdin, output: process.stdout };
  const asks = ctx.asks?.length ? `\nPlease make the SUT show:\n${ctx.asks.map((a) => `  - ${a.says}`).join('\n')}` : '';
  const text = `${trigger.message ? `${trigger.message}\n` : ''}Now: ${ctx.description}${asks}\nThe simulator is at ${ctx.simulatorUrl}`;
  if (!io.input.isTTY) {
    throw new TestStop('manual', `needs a person to act (prompt trigger), but stdin is not a terminal; run interactively or configure a command or webhook trigger. The step: ${ctx.description}`);
  }
  io.output.write(`\n${text}\nPress Enter when done… `);
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer | string) => {
      if (String(chunk).includes('\n') || String(chunk).includes('\r')) done(resolve);
    };
    const onEnd = () => done(() => reject(new TriggerError('stdin closed before Enter was pressed')));
    const onAbort = () => done(() => reject(new Error('interrupted')));
    const done = (then: () => void) => {
      io.input.off('data', onData);
      io.input.off('end', onEnd);
      ctx.signal.removeEventListener('abort', onAbort);
      io.input.pause();
      then();
    };
    io.input.on('data', onData);
    io.input.once('end', onEnd);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    io.input.resume();
  });
  ctx.note(`prompt confirmed by the operator: ${ctx.description}`);
}

/** The last `n` lines of a command's output. */
export function lastLines(text: string, n: number): string {
  return text.split('\n').slice(-n).join('\n');
}
