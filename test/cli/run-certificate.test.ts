import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runCertificate } from '../../src/cli/run-certificate.js';
import { planFor } from '../../src/cli/selection.js';
import { defaultConfig } from '../../src/config/load.js';
import type { Suite } from '../../src/engine/index.js';
import madxConsumer from '../../suites/madx/send-aggregate-report/content-consumer.js';
import sanerSource from '../../suites/saner/query-measure/measure-source.js';

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
