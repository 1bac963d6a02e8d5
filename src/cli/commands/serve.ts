import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { defaultConfig, loadConfig } from '../../config/load.js';
import { simulators, type StartProgress } from '../../../simulators/index.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { EXIT, exitCodesHelp, type ExitCode } from '../exit-codes.js';
import { unreadable } from '../input.js';
import { startProgress, type Progress } from '../progress.js';
import type { RunningFhirServer } from '../../fhir/server/index.js';

const usage = `Usage: measure-conformance serve [--config FILE] [--simulator ID]... [--fault ID]... [--patients N] [--seed N]

Starts the reference simulators as long-lived FHIR endpoints and prints their base URLs; stops on
Ctrl-C. config.yaml's 'simulators' section sets host (default 127.0.0.1), fixed ports per simulator,
dataDir (SQLite files that keep what the simulators receive across restarts; in memory when absent),
TLS certificate and key, and a bearer token the simulators require.
  --simulator ID   start only these simulators (repeatable); ids: ${simulators.map((s) => s.id).join(', ')}
  --fault ID       switch on a fault mode in every started simulator (repeatable), to rehearse failures
  --patients N     patients in the data-source's generated data set (default 200; 100000 for load tests;
                   a large data set shows its progress on stderr, none with --quiet)
  --seed N         seed of the data-source's generated data set (default 1): the same seed, the same data
${exitCodesHelp({ 0: 'stopped with Ctrl-C' })}`;

/** Start-up steps smaller than this finish too soon to be worth a progress line. */
const PROGRESS_FROM = 5000;

function positiveInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${name} must be a positive integer, not '${text}'`);
  return Number(text);
}

function readTlsFile(key: string, file: string, cwd: string): Buffer {
  try {
    return readFileSync(resolve(cwd, file));
  } catch (err) {
    throw unreadable(`simulators.tls.${key} ${file}`, err);
  }
}

/** One progress line per phase of a simulator's long start-up. */
function startUpProgress(io: CliIo, simulator: string): { onStartProgress: (step: StartProgress) => void; finish: () => void } {
  let current: { phase: string; progress: Progress } | undefined;
  return {
    onStartProgress(step) {
      if (step.total < PROGRESS_FROM) return;
      if (current?.phase !== step.phase) {
        current?.progress.finish();
        current = { phase: step.phase, progress: startProgress(io, `${simulator}: ${step.phase}`, { total: step.total }) };
      }
      current.progress.update(step.done);
    },
    finish: () => current?.progress.finish(),
  };
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the reference simulators as long-lived FHIR endpoints',
  usage,
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const { values } = parseCommandArgs(args, {
      config: { type: 'string' },
      simulator: { type: 'string', multiple: true },
      fault: { type: 'string', multiple: true },
      patients: { type: 'string' },
      seed: { type: 'string' },
    });
    const { config } = values.config ? loadConfig(resolve(io.cwd, values.config), io.env) : defaultConfig();
    const unknown = (values.simulator ?? []).filter((id) => !simulators.some((s) => s.id === id));
    if (unknown.length) throw new UsageError(`unknown simulator ${unknown.join(', ')}; simulators: ${simulators.map((s) => s.id).join(', ')}`);
    const chosen = simulators.filter((s) => !values.simulator || values.simulator.includes(s.id));
    const patients = positiveInteger('patients', values.patients);
    const seed = positiveInteger('seed', values.seed);
    const sim = config.simulators;
    const tls = sim.tls ? { cert: readTlsFile('certFile', sim.tls.certFile, io.cwd), key: readTlsFile('keyFile', sim.tls.keyFile, io.cwd) } : undefined;
    const dataDir = sim.dataDir ? resolve(io.cwd, sim.dataDir) : undefined;
    if (dataDir) mkdirSync(dataDir, { recursive: true });

    const running: RunningFhirServer[] = [];
    try {
      for (const s of chosen) {
        const startUp = startUpProgress(io, s.id);
        let server: RunningFhirServer;
        try {
          server = await s.start({
            host: sim.host,
            port: sim.ports[s.id] ?? 0,
            ...(dataDir ? { storePath: join(dataDir, `${s.id}.sqlite`) } : {}),
            ...(tls ? { tls } : {}),
            ...(sim.auth?.bearerToken ? { auth: { bearerToken: sim.auth.bearerToken } } : {}),
            ...(values.fault ? { faults: values.fault } : {}),
            ...(patients !== undefined ? { patients } : {}),
            ...(seed !== undefined ? { seed } : {}),
            onStartProgress: startUp.onStartProgress,
          });
        } finally {
          startUp.finish();
        }
        running.push(server);
        io.stdout(`${s.id.padEnd(20)} ${server.url}  (${s.title})\n`);
      }
      io.stdout(`${dataDir ? `Data kept in ${dataDir}. ` : 'Data kept in memory only. '}Press Ctrl-C to stop.\n`);
      if (!io.signal.aborted) await once(io.signal, 'abort');
      return EXIT.ok;
    } finally {
      await Promise.all(running.map((r) => r.close()));
    }
  },
};
