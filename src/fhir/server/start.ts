/** Starting a standalone FHIR server from a declaration: the usual way a simulator runs. */
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { HttpExchange } from '../../http/exchange.js';
import { toOperationOutcome } from '../errors.js';
import { contentTypeOf } from '../negotiation.js';
import { ResourceStore } from '../store/resource-store.js';
import type { ServerDeclaration } from './declaration.js';
import type { ServerHooks } from './context.js';
import { DEFAULT_BODY_LIMIT, fhirServerPlugin } from './plugin.js';

/** A server's TLS: its PEM certificate and key. */
export interface ServerTls {
  cert: string | Buffer;
  key: string | Buffer;
  /**
   * Ask each client for its certificate, without requiring or verifying one, so the subject of the
   * certificate a client presents is recorded as who sent the request (`serve`'s inspector).
   */
  askClientCertificate?: boolean;
}

/** `Id`: the fault ids of the declaration's own catalogue, so hooks written here see them typed. */
export interface StartFhirServerOptions<Id extends string = never> {
  declaration: ServerDeclaration<Id>;
  /** An open store to serve; or `storePath` to open one (file or ':memory:', the default). */
  store?: ResourceStore;
  storePath?: string;
  /** Default 127.0.0.1: simulators are not exposed beyond the machine unless asked. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Serve HTTPS with this PEM certificate and key. */
  tls?: ServerTls;
  auth?: { bearerToken?: string; protectMetadata?: boolean };
  bodyLimit?: number;
  /** Fault ids as text (config, command line); one the core and the declaration do not know is refused. */
  faults?: readonly string[];
  hooks?: ServerHooks<Id>;
  onExchange?: (exchange: HttpExchange) => void;
  /** Path the FHIR base is served under, e.g. `/fhir`; default the root. */
  basePath?: string;
  defaultCount?: number;
  captureLimit?: number;
  /** Base URL as clients see it (behind a proxy); default from each request. */
  publicBaseUrl?: string;
  /** Last adjustments to the app before it listens, e.g. a simulator's own request hook for a fault mode. */
  configure?: (app: FastifyInstance) => void;
}

export interface RunningFhirServer {
  /** The FHIR base URL, e.g. `http://127.0.0.1:41234/fhir`. */
  url: string;
  app: FastifyInstance;
  store: ResourceStore;
  /** Stops listening, and closes the store when the server opened it. */
  close(): Promise<void>;
}

/** Builds the fastify app without listening, e.g. for `app.inject()` in tests. */
export async function buildFhirApp<Id extends string = never>(options: StartFhirServerOptions<Id> & { store: ResourceStore }): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    bodyLimit,
    logger: false,
    // A malformed URL is refused by the router before any plugin runs; it is still the client's
    // mistake, so it gets a 400 OperationOutcome rather than fastify's own error body.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      void reply
        .code(status)
        .header('content-type', contentTypeOf('json'))
        .send(JSON.stringify(toOperationOutcome([{ severity: 'error', code: 'invalid', message: error.message }])));
    },
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key, ...(options.tls.askClientCertificate ? { requestCert: true, rejectUnauthorized: false } : {}) } } : {}),
  });
  await app.register(fhirServerPlugin, {
    declaration: options.declaration,
    store: options.store,
    bodyLimit,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
    ...(options.defaultCount !== undefined ? { defaultCount: options.defaultCount } : {}),
    ...(options.captureLimit !== undefined ? { captureLimit: options.captureLimit } : {}),
    ...(options.publicBaseUrl ? { publicBaseUrl: options.publicBaseUrl } : {}),
    ...(options.configure ? { configure: options.configure } : {}),
    prefix: options.basePath ?? '',
  });
  return app;
}

export async function startFhirServer<Id extends string = never>(options: StartFhirServerOptions<Id>): Promise<RunningFhirServer> {
  const ownStore = options.store === undefined;
  const store = options.store ?? ResourceStore.open({ path: options.storePath ?? ':memory:', searchParams: options.declaration.searchParamDefs });
  try {
    const app = await buildFhirApp({ ...options, store });
    const host = options.host ?? '127.0.0.1';
    await app.listen({ host, port: options.port ?? 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const hostInUrl = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    const url = `${options.tls ? 'https' : 'http'}://${hostInUrl}:${port}${(options.basePath ?? '').replace(/\/$/, '')}`;
    const onExchange = options.onExchange;
    // A client that speaks plain http to the https port, or fails the handshake, sent something too: it is recorded, not lost.
    if (options.tls && onExchange) {
      app.server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: Socket) => {
        const address = socket.remoteAddress?.replace(/^::ffff:/, '');
        const plain = err.code === 'ERR_SSL_HTTP_REQUEST' || /http request/i.test(err.message);
        onExchange({
          direction: 'inbound',
          method: 'CONNECT',
          url: `${url}/`,
          requestHeaders: {},
          startedAt: new Date().toISOString(),
          error: plain ? 'a plain-http request reached the https endpoint (no TLS)' : `the TLS handshake failed: ${err.message}`,
          ...(address ? { peer: { address } } : {}),
        });
      });
    }
    return {
      url,
      app,
      store,
      async close() {
        await app.close();
        if (ownStore) store.close();
      },
    };
  } catch (e) {
    if (ownStore) store.close();
    throw e;
  }
}
