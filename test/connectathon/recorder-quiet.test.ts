/**
 * Judging waits for a pause in the traffic: exchanges arriving back to back are kept at once but
 * judged once they stop (at most one in between, at the half-second bound), so a simulator under
 * load is not slowed to the pace of the suites; once the traffic pauses every one is judged.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { HttpExchange } from '../../src/http/exchange.js';
import { ExchangeLog } from '../../src/cli/connectathon/exchange-log.js';
import { Recorder } from '../../src/cli/connectathon/recorder.js';
import { transactionAt } from '../../src/cli/connectathon/transactions.js';

const BODY = JSON.stringify({ resourceType: 'MeasureReport', status: 'complete' });

function push(): HttpExchange {
  return {
    direction: 'inbound',
    method: 'POST',
    url: 'http://127.0.0.1:8080/MeasureReport',
    requestHeaders: { 'content-type': 'application/fhir+json' },
    requestBody: { text: BODY, size: BODY.length, truncated: false },
    status: 422,
    responseHeaders: { 'content-type': 'application/fhir+json' },
    responseBody: { text: '{"resourceType":"OperationOutcome","issue":[]}', size: 46, truncated: false },
    startedAt: new Date().toISOString(),
    peer: { address: '10.0.0.7' },
  };
}

describe('judging recorded exchanges', () => {
  it('waits while exchanges keep arriving and judges them all once they pause', async () => {
    const recorder = new Recorder({ log: await ExchangeLog.open(':memory:') });
    const origin = { source: 'measure-consumer', baseUrl: 'http://127.0.0.1:8080', transaction: transactionAt('measure-consumer')!, sides: ['client'] as const };
    const judged = (ids: string[]) => ids.filter((id) => recorder.log.get(id)?.findings !== undefined).length;
    try {
      // The first judgement loads the suites; a lone exchange after a pause is judged without waiting for more.
      const first = recorder.record(origin, push());
      await recorder.idle();
      expect(judged([first])).toBe(1);

      const stream: string[] = [];
      for (let i = 0; i < 60; i++) {
        stream.push(recorder.record(origin, push()));
        await sleep(5);
      }
      expect(judged(stream)).toBeLessThanOrEqual(2);

      await recorder.idle();
      expect(judged(stream)).toBe(60);
      expect(recorder.log.get(stream[59]!)!.findings!.length).toBeGreaterThan(0);
    } finally {
      await recorder.close();
    }
  });
});
