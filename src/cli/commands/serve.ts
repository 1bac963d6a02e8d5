import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { defaultConfig, loadConfig } from '../../config/load.js';
import { simulators, type StartProgress } from '../../../simulators/index.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { EXIT, exitCodesHelp, type ExitCode } from '../exit-codes.js';
import { startProgress, type Progress } from '../progress.js';
import type { RunningFhirServer } from '../../fhir/server/index.js';
import { ExchangeLog } from '../connectathon/exchange-log.js';
import { type Origin, Recorder } from '../connectathon/recorder.js';
import { transactionAt, whyNotGraded } from '../connectathon/transactions.js';
import { startInspector, type RunningInspector } from '../connectathon/inspector/server.js';
import { gradingConfig, portInUse, simulatorTls } from '../connectathon/serving.js';

const usage = `Usage: measure-conformance serve [--config FILE] [--simulator ID]... [--fault ID]... [--patients N] [--seed N]

Starts the reference simulators as long-lived FHIR endpoints and prints their base URLs, with the
inspector: a web page (and JSON API) showing every exchange each simulator receives, live, with the
findings of the client-suite checks that apply to it, a permalink per exchange, and per client what
its traffic so far passes, fails or has not shown. Stops on Ctrl-C or SIGTERM, finishing the
requests in flight.

config.yaml's 'simulators' section sets host (default 127.0.0.1), fixed ports per simulator and for
the inspector (ports.inspector), dataDir (SQLite files that keep what the simulators receive, and
every exchange, across restarts; in memory when absent), TLS certificate and key (the inspector
then serves TLS too), a bearer token the simulators require, and inspector.token (the inspector is
open on its address without it) and inspector.clientIdentity.
  --simulator ID   start only these simulators (repeatable); ids: ${simulators.map((s) => s.id).join(', ')}
  --fault ID       switch on a fault mode in every started simulator (repeatable), to rehearse failures
  --patients N     patients in the data-source's generated data set (default 200; 100000 for load tests;
                   a large data set shows its progress on stderr, none with --quiet)
  --seed N         seed of the data-source's generated data set (default 1): the same seed, the same data
${exitCodesHelp({ 0: 'stopped with Ctrl-C or SIGTERM' })}`;

/** Start-up steps smaller than this finish too soon to be worth a progress line. */
const PROGRESS_FROM = 5000;

function positiveInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${name} must be a positive integer, not '${text}'`);
  return Number(text);
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
  summary: 'run the reference simulators as long-lived FHIR endpoints, with the live inspector',
  usage,
  stopping: 'serve: stopping: no new connections; finishing the requests in flight and writing the exchange log',
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const { values } = parseCommandArgs(args, {
      config: { type: 'string' },
      simulator: { type: 'string', multiple: true },
      fault: { type: 'string', multiple: true },
      patients: { type: 'string' },
      seed: { type: 'string' },
    });
    const loaded = values.config ? loadConfig(resolve(io.cwd, values.config), io.env) : defaultConfig();
    const { config } = loaded;
    const configFile = values.config ?? 'config.yaml';
    const unknown = (values.simulator ?? []).filter((id) => !simulators.some((s) => s.id === id));
    if (unknown.length) throw new UsageError(`unknown simulator ${unknown.join(', ')}; simulators: ${simulators.map((s) => s.id).join(', ')}`);
    const chosen = simulators.filter((s) => !values.simulator || values.simulator.includes(s.id));
    const patients = positiveInteger('patients', values.patients);
    const seed = positiveInteger('seed', values.seed);
    const sim = config.simulators;
    const tls = simulatorTls(config, io.cwd);
    const dataDir = sim.dataDir ? resolve(io.cwd, sim.dataDir) : undefined;
    if (dataDir) mkdirSync(dataDir, { recursive: true });

    const recorder = new Recorder({
      log: await ExchangeLog.open(dataDir ? join(dataDir, 'exchanges.sqlite') : ':memory:'),
      ...(sim.inspector?.clientIdentity ? { identity: sim.inspector.clientIdentity } : {}),
      config: gradingConfig(config),
      ...(config.attestations ? { attestations: config.attestations } : {}),
    });
    const running: RunningFhirServer[] = [];
    let inspector: RunningInspector | undefined;
    try {
      const endpoints: { name: string; url: string }[] = [];
      for (const s of chosen) {
        const startUp = startUpProgress(io, s.id);
        const port = sim.ports[s.id] ?? 0;
        const transaction = transactionAt(s.id);
        const notGraded = whyNotGraded(s.id);
        const judged = { sides: ['client'] as const, ...(transaction ? { transaction } : {}), ...(notGraded ? { notGraded } : {}) };
        let origin: Origin | undefined;
        let server: RunningFhirServer;
        try {
          server = await s.start({
            host: sim.host,
            port,
            ...(dataDir ? { storePath: join(dataDir, `${s.id}.sqlite`) } : {}),
            // The simulator asks for a client certificate (never requires one) to record who sent each request.
            ...(tls ? { tls: { ...tls, askClientCertificate: true } } : {}),
            ...(sim.auth?.bearerToken ? { auth: { bearerToken: sim.auth.bearerToken } } : {}),
            ...(values.fault ? { faults: values.fault } : {}),
            ...(patients !== undefined ? { patients } : {}),
            ...(seed !== undefined ? { seed } : {}),
            onStartProgress: startUp.onStartProgress,
            // The simulators serve at the root, so an exchange arriving before start() returns names its base by its origin.
            onExchange: (exchange) => recorder.record(origin ?? { source: s.id, baseUrl: new URL(exchange.url).origin, ...judged }, exchange),
          });
        } catch (err) {
          throw portInUse('serve', err, port, `simulator ${s.id}`, `simulators.ports.${s.id} in ${configFile}`) ?? err;
        } finally {
          startUp.finish();
        }
        // One origin for all of the simulator's exchanges: recording builds nothing of its own per request.
        origin = { source: s.id, baseUrl: server.url, ...judged };
        running.push(server);
        endpoints.push({ name: s.id, url: server.url });
        io.stdout(`${s.id.padEnd(20)} ${server.url}  (${s.title})\n`);
      }
      const inspectorPort = sim.ports['inspector'] ?? 0;
      try {
        inspector = await startInspector({
          host: sim.host,
          port: inspectorPort,
          ...(tls ? { tls } : {}),
          ...(sim.inspector?.token ? { token: sim.inspector.token } : {}),
          recorder,
          context: { mode: 'serve', endpoints },
        });
      } catch (err) {
        throw portInUse('serve', err, inspectorPort, 'the inspector', `simulators.ports.inspector in ${configFile}`) ?? err;
      }
      io.stdout(`${'inspector'.padEnd(20)} ${inspector.url}  (every exchange, live${sim.inspector?.token ? '; open it once with ?token=<simulators.inspector.token>' : ''})\n`);
      io.stdout(`${dataDir ? `Data and exchanges kept in ${dataDir}. ` : 'Data and exchanges kept in memory only. '}Press Ctrl-C to stop.\n`);
      if (!io.signal.aborted) await once(io.signal, 'abort');
      return EXIT.ok;
    } finally {
      // Stop taking requests first (each server finishes those in flight), then write the log away.
      await Promise.all(running.map((r) => r.close()));
      await inspector?.close();
      await recorder.close();
      if (io.signal.aborted) io.stderr(`serve: stopped${dataDir ? `; data and exchanges kept in ${dataDir}` : ''}\n`);
    }
  },
};
