import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runBearerToken, runCertificate } from '../../src/cli/run-certificate.js';
import { planFor } from '../../src/cli/selection.js';
import { defaultConfig } from '../../src/config/load.js';
import { HttpClient, type Suite } from '../../src/engine/index.js';
import madxConsumer from '../../suites/madx/send-aggregate-report/content-consumer.js';
import sanerSource from '../../suites/saner/query-measure/measure-source.js';
import madxCreator from '../../suites/madx/send-aggregate-report/content-creator.js';

const base = defaultConfig().config;
const consumer = madxConsumer as unknown as Suite<object>;

describe('the reference run over https', () => {
  it('makes one certificate per run for the simulators host, key kept in memory only', () => {
    const made = runCertificate('127.0.0.1');
    if (!made.ok) throw new Error(made.reason);
    const cert = new X509Certificate(made.certificate.cert);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(made.certificate.key).toMatch(/PRIVATE KEY/);
    expect(runCertificate('127.0.0.1')).toBe(made);
  });

  it('serves the Content Consumer simulator over https with no SUT, trusting exactly that certificate', async () => {
    const plan = planFor(consumer, { ...base, sut: undefined });
    const made = runCertificate(base.simulators.host);
    expect(made.ok && plan.http?.tls).toEqual(made.ok ? { ca: made.certificate.cert } : false);
    if (!('start' in plan.target)) throw new Error('a simulator target was expected');
    const server = await plan.target.start({ onExchange: () => undefined, signal: new AbortController().signal });
    try {
      expect(server.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await server.close();
    }
  });

  it('keeps plain http when asked (run --no-tls), telling the suite why, and for simulators whose profiles ask no https', () => {
    const plain = planFor(consumer, { ...base, sut: undefined, simulators: { ...base.simulators, referenceTls: false } });
    expect(plain.config?.['referenceHttp']).toMatch(/run --no-tls/);
    expect(plain.http?.tls).toEqual({});
    const saner = planFor(sanerSource as unknown as Suite<object>, { ...base, sut: undefined });
    expect(saner.http?.tls).toEqual({});
  });
});

describe('the reference run demands a credential of its clients', () => {
  it('makes one random bearer token per run', () => {
    expect(runBearerToken()).toMatch(/^run-[\w-]{32}$/);
    expect(runBearerToken()).toBe(runBearerToken());
  });

  it('has the Content Consumer simulator demand it and the harness present it; a SUT gets its own credentials, and the rule set config names', async () => {
    const plan = planFor(consumer, { ...base, sut: undefined });
    expect(plan.http?.auth).toEqual({ type: 'bearer', token: runBearerToken() });
    expect(plan.config?.credentials).toEqual(['bearer-token']);
    if (!('start' in plan.target)) throw new Error('a simulator target was expected');
    const server = await plan.target.start({ onExchange: () => undefined, signal: new AbortController().signal });
    const client = new HttpClient({ baseUrl: server.baseUrl, ...plan.http });
    try {
      const body = JSON.stringify({ resourceType: 'MeasureReport', id: 'x', status: 'complete', type: 'summary', measure: 'http://example.org/m', period: { start: '2025-01-01', end: '2025-01-31' } });
      expect((await client.request({ method: 'PUT', url: 'MeasureReport/x', body, anonymous: true })).status).toBe(401);
      expect((await client.request({ method: 'PUT', url: 'MeasureReport/x', body })).status).not.toBe(401);
    } finally {
      await client.close();
      await server.close();
    }
    const sut = planFor(consumer, {
      ...base,
      sut: { name: 'sut', baseUrl: 'https://sut.example.org/fhir', auth: { bearerToken: 't' }, tls: { certFile: 'c.pem', keyFile: 'k.pem' }, madxRuleSet: 'trial-implementation' },
    });
    expect(sut.config).toMatchObject({ credentials: ['bearer-token', 'client-certificate'], madxRuleSet: 'trial-implementation' });
    expect(sut.http).toBeUndefined();
  });

  it("tells a client suite what its simulator demands: the run's token with no SUT, simulators.auth for a SUT, else nothing", () => {
    const creator = madxCreator as unknown as Suite<object>;
    expect(planFor(creator, { ...base, sut: undefined }).config?.demandedCredential).toBe('bearer-token');
    const trigger = { MadxContentCreator: { type: 'command' as const, command: 'true' } };
    expect(planFor(creator, { ...base, sut: { name: 's', triggers: trigger } }).config?.demandedCredential).toBeUndefined();
    expect(planFor(creator, { ...base, sut: { name: 's', triggers: trigger }, simulators: { ...base.simulators, auth: { bearerToken: 'sim' } } }).config?.demandedCredential).toBe('bearer-token');
    expect(planFor(sanerSource as unknown as Suite<object>, { ...base, sut: undefined }).config?.credentials).toBeUndefined();
  });
});
