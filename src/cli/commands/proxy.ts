import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { defaultConfig, loadConfig } from '../../config/load.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { EXIT, exitCodesHelp, type ExitCode } from '../exit-codes.js';
import { sutHttpConfig } from '../selection.js';
import { ExchangeLog } from '../connectathon/exchange-log.js';
import { type Origin, Recorder } from '../connectathon/recorder.js';
import { transactionById, transactions } from '../connectathon/transactions.js';
import { startInspector, type RunningInspector } from '../connectathon/inspector/server.js';
import { startProxy, type RunningProxy } from '../connectathon/proxy.js';
import { gradingConfig, portInUse, simulatorTls } from '../connectathon/serving.js';

const usage = `Usage: measure-conformance proxy --target URL [--listen PORT] [--transaction ID] [--config FILE] [--inspector-port PORT]

Sits between a real client and a real server (a vendor's Measure Source pushing to another's
Measure Consumer, a Measure Consumer querying a Measure Source, a Content Creator sending to a
Content Consumer): point the client at the proxy's URL instead of the server's. Every request and
answer is forwarded as it streams, unchanged but for Host (the target's) and Location and
Content-Location headers naming the target (the proxy's, so follow-ups come back through it), and
recorded. With --transaction each exchange is judged on both sides: the client's request by the
transaction's client suite, the server's answer by its answer checks; the inspector shows them live.

With simulators.tls in config.yaml the proxy ends the client's TLS with that certificate (asking for
the client's, whose subject it records: it cannot pass it on) and opens its own TLS to the target,
trusting sut.tls.caFile (or sut.tls.insecure) and presenting sut.tls.certFile/keyFile when given.
Mutual authentication between the two systems is therefore not observed through the proxy; the
report says so and asks a person.

  --target URL          the real server's FHIR base URL (http or https)
  --listen PORT         the proxy's port (default: a free one, printed); host is simulators.host
  --transaction ID      the transaction to grade: ${transactions()
    .map((t) => t.id)
    .join(', ')}
                        (without it the proxy records and shows, and grades nothing)
  --inspector-port PORT the inspector's port (default: a free one, printed)
  --config FILE         configuration (default ./config.yaml when it exists): simulators.dataDir
                        keeps the exchanges (exchanges.sqlite, shared with serve's inspector), TLS as above

${exitCodesHelp({ 0: 'stopped with Ctrl-C or SIGTERM' })}`;

function portOption(name: string, text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`--${name} must be a port number (0-65535), not '${text}'`);
  return Number(text);
}

export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'record and grade the traffic between two real systems',
  usage,
  stopping: 'proxy: stopping: no new connections; finishing the requests in flight and writing the exchange log',
  async run(args: string[], io: CliIo): Promise<ExitCode> {
    const { values } = parseCommandArgs(args, {
      target: { type: 'string' },
      listen: { type: 'string' },
      transaction: { type: 'string' },
      config: { type: 'string' },
      'inspector-port': { type: 'string' },
    });
    if (!values.target) throw new UsageError('name the real server with --target URL');
    let target: URL;
    try {
      target = new URL(values.target);
    } catch {
      throw new UsageError(`--target must be an absolute http(s) URL, not ${JSON.stringify(values.target)}`);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new UsageError(`--target must be an http or https URL, not ${JSON.stringify(values.target)}`);
    const transaction = values.transaction ? transactionById(values.transaction) : undefined;
    if (values.transaction && !transaction)
      throw new UsageError(
        `unknown transaction ${values.transaction}; transactions: ${transactions()
          .map((t) => t.id)
          .join(', ')}`,
      );
    const listen = portOption('listen', values.listen);
    const inspectorPort = portOption('inspector-port', values['inspector-port']);
    const path = resolve(io.cwd, values.config ?? 'config.yaml');
    const { config, secrets } = values.config ? loadConfig(path, io.env) : defaultConfig();
    const sim = config.simulators;
    const tls = simulatorTls(config, io.cwd);
    const upstream = sutHttpConfig(config, secrets).tls ?? {};
    const dataDir = sim.dataDir ? resolve(io.cwd, sim.dataDir) : undefined;
    if (dataDir) mkdirSync(dataDir, { recursive: true });

    const recorder = new Recorder({
      log: await ExchangeLog.open(dataDir ? join(dataDir, 'exchanges.sqlite') : ':memory:'),
      ...(sim.inspector?.clientIdentity ? { identity: sim.inspector.clientIdentity } : {}),
      config: gradingConfig(config),
      ...(config.attestations ? { attestations: config.attestations } : {}),
    });
    let proxy: RunningProxy | undefined;
    let inspector: RunningInspector | undefined;
    try {
      const judged = { sides: ['client', 'server'] as const, ...(transaction ? { transaction } : { notGraded: 'the proxy was started without --transaction' }) };
      let origin: Origin | undefined;
      try {
        proxy = await startProxy({
          target: target.href,
          host: sim.host,
          port: listen,
          ...(tls ? { tls } : {}),
          upstreamTls: {
            ...(typeof upstream.ca === 'string' ? { ca: upstream.ca } : {}),
            ...(typeof upstream.cert === 'string' && typeof upstream.key === 'string' ? { cert: upstream.cert, key: upstream.key } : {}),
            ...(upstream.passphrase !== undefined ? { passphrase: upstream.passphrase } : {}),
            ...(upstream.insecure ? { insecure: true } : {}),
          },
          timeoutMs: config.timeouts.requestMs,
          // An exchange arriving before startProxy() returns names its base by its origin.
          onExchange: (exchange) => recorder.record(origin ?? { source: 'proxy', baseUrl: new URL(exchange.url).origin, ...judged }, exchange),
        });
      } catch (err) {
        throw portInUse('proxy', err, listen, 'the recording proxy', '--listen') ?? err;
      }
      // One origin for all of the proxy's exchanges, as serve has one per simulator.
      origin = { source: 'proxy', baseUrl: proxy.url, ...judged };
      try {
        inspector = await startInspector({
          host: sim.host,
          port: inspectorPort,
          ...(tls ? { tls } : {}),
          ...(sim.inspector?.token ? { token: sim.inspector.token } : {}),
          recorder,
          context: { mode: 'proxy', endpoints: [{ name: `proxy → ${target.href}`, url: proxy.url }] },
        });
      } catch (err) {
        throw portInUse('proxy', err, inspectorPort, 'the inspector', '--inspector-port') ?? err;
      }
      io.stdout(`${'proxy'.padEnd(12)} ${proxy.url}  → ${target.href}${transaction ? `  (grading ${transaction.id}, both sides)` : '  (recording only: name --transaction to grade)'}\n`);
      io.stdout(`${'inspector'.padEnd(12)} ${inspector.url}${sim.inspector?.token ? '  (open it once with ?token=<simulators.inspector.token>)' : ''}\n`);
      io.stdout(`${dataDir ? `Exchanges kept in ${join(dataDir, 'exchanges.sqlite')}. ` : 'Exchanges kept in memory only. '}Point the client at the proxy's URL. Press Ctrl-C to stop.\n`);
      if (!io.signal.aborted) await once(io.signal, 'abort');
      return EXIT.ok;
    } finally {
      await proxy?.close();
      await inspector?.close();
      await recorder.close();
      if (io.signal.aborted) io.stderr(`proxy: stopped${dataDir ? `; exchanges kept in ${dataDir}` : ''}\n`);
    }
  },
};
