// biome-ignore-all lint/suspicious/noTemplateCurlyInString: '${{ … }}' is a GitHub Actions expression the action file must contain as text.
// The composite GitHub Action: its inputs and steps, and its run step's script run here with a fake
// GITHUB_* environment against the bundled simulators and a faulty SUT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../src/harness.js';
import { measureSource } from '../../simulators/measure-source/index.js';
import type { RunningFhirServer } from '../../src/fhir/server/index.js';

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}

const action = parse(readFileSync(join(projectRoot, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
};

const dirs: string[] = [];
function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mc-action-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs the run step's script as the runner would: the step's env with the inputs, and the GITHUB_* variables. */
async function runStep(inputs: Record<string, string>, workspace: string): Promise<{ outputs: Record<string, string>; stdout: string; status: number | null }> {
  const step = action.runs.steps.find((s) => s.id === 'run')!;
  const runner = workdir();
  const outputFile = join(runner, 'output');
  writeFileSync(outputFile, '');
  const withInputs = { ...Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? ''])), ...inputs };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? runner,
    GITHUB_ACTION_PATH: projectRoot,
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: join(runner, 'summary.md'),
    RUNNER_TEMP: runner,
  };
  // `${{ inputs.x }}` in the step's env, as the runner fills it in.
  for (const [name, value] of Object.entries(step.env ?? {})) env[name] = value.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, input: string) => withInputs[input] ?? '');
  const command = step.run!.replace('$GITHUB_ACTION_PATH', projectRoot);
  const child = spawn('bash', ['-c', command], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
  const status = await new Promise<number | null>((r) => child.on('close', r));
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
  return { outputs, stdout, status };
}

describe('action.yml', () => {
  it('is a composite action taking config, suites and fail-on, uploading the report folder even when the run fails', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['config', 'suites', 'fail-on']));
    const [run, upload, finish] = action.runs.steps;
    expect(run!.run).toContain('action/run.sh');
    expect(upload!.uses).toMatch(/^actions\/upload-artifact@v\d+$/);
    expect(upload!.if).toMatch(/always\(\)/);
    expect(upload!.with!.path).toBe('${{ steps.run.outputs.report-dir }}');
    expect(finish!.if).toMatch(/always\(\)/);
    expect(finish!.env!.EXIT_CODE).toBe('${{ steps.run.outputs.exit-code }}');
    expect(action.outputs['exit-code']!.value).toBe('${{ steps.run.outputs.exit-code }}');
  });
});

describe('the run step script', () => {
  let faulty: RunningFhirServer;
  beforeAll(async () => {
    faulty = await measureSource.start({ faults: ['metadata-wrong-fhir-version'] });
  });
  afterAll(() => faulty.close());

  it('runs the chosen suites in the workspace and hands over exit code 0 and the report folder', async () => {
    const { outputs, status, stdout } = await runStep({ suites: 'fhir-core/*' }, workdir());
    expect(status, stdout).toBe(0);
    expect(outputs['exit-code']).toBe('0');
    const results = JSON.parse(readFileSync(join(outputs['report-dir']!, 'results.json'), 'utf8'));
    expect(new Set(results.tests.map((t: { suite: string }) => t.suite))).toEqual(new Set(['fhir-core/fhir-server']));
    expect(existsSync(join(outputs['report-dir']!, 'junit.xml'))).toBe(true);
  }, 120_000);

  it('reads the config file, and hands over exit code 1 for a failing SUT with the report still written', async () => {
    const workspace = workdir();
    writeFileSync(join(workspace, 'sut.yaml'), ['sut:', '  name: Faulty', `  baseUrl: ${faulty.url}`, ''].join('\n'));
    const { outputs, status } = await runStep({ config: 'sut.yaml', suites: 'fhir-core/*', 'fail-on': 'shall' }, workspace);
    expect(status).toBe(0);
    expect(outputs['exit-code']).toBe('1');
    expect(JSON.parse(readFileSync(join(outputs['report-dir']!, 'results.json'), 'utf8')).sut.baseUrl).toBe(faulty.url);
    const never = await runStep({ config: 'sut.yaml', suites: 'fhir-core/*', 'fail-on': 'never' }, workspace);
    expect(never.outputs['exit-code']).toBe('0');
  }, 120_000);
});
