// The pacers and the thresholds on their own: exact request budgets, the in-flight cap counted,
// due instants that do not move when the loop is late, and threshold expressions.
import { describe, expect, it } from 'vitest';
import { ClosedPacer, OpenPacer } from '../../src/load/pacer.js';
import { evaluateThresholds, k6Thresholds, parseThreshold } from '../../src/load/thresholds.js';
import type { LoadResult } from '../../src/load/model.js';

describe('OpenPacer', () => {
  it('hands out exactly the budget, to flows it starts itself, holding requests back at the in-flight cap', async () => {
    const dues: number[] = [];
    let flows = 0;
    const pacer: OpenPacer = new OpenPacer({
      rate: 2000,
      rampMs: 0,
      maxInFlight: 2,
      budget: 50,
      startFlow: () => {
        flows++;
        // A flow of two requests, each answered a little later.
        void (async () => {
          for (let i = 0; i < 2; i++) {
            const due = await pacer.acquire();
            if (due === undefined) return;
            dues.push(due);
            await new Promise((r) => setTimeout(r, 2));
            pacer.release();
          }
        })();
      },
    });
    await pacer.run();
    while (pacer.sent < 50) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(pacer.sent).toBe(50);
    expect(dues).toHaveLength(50);
    expect(flows).toBeGreaterThanOrEqual(25);
    expect(pacer.heldBack).toBeGreaterThan(0);
    expect(pacer.stopReason).toBe('requests');
    // Due instants are the schedule's, 0.5 ms apart, whenever they were handed out.
    const gaps = dues.slice(1).map((d, i) => d - dues[i]!);
    for (const g of gaps) expect(g).toBeCloseTo(0.5, 6);
  });

  it('stops on request and tells waiting flows the load is over', async () => {
    // One flow: the first startFlow() acquires, later calls find it started.
    let flow: Promise<number | undefined> | undefined;
    const pacer: OpenPacer = new OpenPacer({
      rate: 1,
      rampMs: 0,
      maxInFlight: 10,
      startFlow: () => {
        flow ??= pacer.acquire();
      },
    });
    const running = pacer.run();
    const early = pacer.acquire();
    pacer.stop('interrupted');
    await running;
    await expect(early).resolves.toBeUndefined();
    // The flow's acquire settled too: granted a due request, or told the load is over.
    await flow;
    expect(pacer.stopReason).toBe('interrupted');
  });
});

describe('ClosedPacer', () => {
  it('grants at once until the budget is spent', async () => {
    const pacer = new ClosedPacer(3);
    const got = await Promise.all([1, 2, 3, 4, 5].map(() => pacer.acquire()));
    expect(got.filter((x) => x !== undefined)).toHaveLength(3);
    expect(pacer.stopReason).toBe('requests');
  });
});

describe('thresholds', () => {
  const result = {
    requests: { sent: 1000, completed: 1000, errors: 3, errorRate: 0.003, maxInFlightHits: 0 },
    throughput: { requestsPerSecond: 250 },
    latency: { p50: 10, p90: 20, p99: 400, p999: 700, max: 900, mean: 12, count: 1000 },
    findings: [{ requirements: ['X-Y-001'], expectation: 'SHALL', step: 's', message: 'm', count: 3, examples: [] }],
  } as unknown as LoadResult;

  it('measure latency, errors as share or count, throughput and findings', () => {
    const verdicts = evaluateThresholds(['p99<500ms', 'p99.9<0.5s', 'errors<0.1%', 'errors<=3', 'rps>=200', 'findings=0'].map(parseThreshold), result);
    expect(verdicts.map((v) => [v.expression, v.passed, v.actual])).toEqual([
      ['p99<500ms', true, 400],
      ['p99.9<0.5s', false, 700],
      ['errors<0.1%', false, 0.3],
      ['errors<=3', true, 3],
      ['rps>=200', true, 250],
      ['findings=0', false, 3],
    ]);
  });

  it('refuse what they cannot measure', () => {
    for (const bad of ['p99<5%', 'errors<5ms', 'rps>10%', 'latency<5', 'p99 500']) expect(() => parseThreshold(bad), bad).toThrow(/--threshold/);
  });

  it('become k6 thresholds where k6 has them', () => {
    expect(k6Thresholds(['p99<500ms', 'max<2s', 'errors<0.1%', 'errors<3', 'rps>100', 'findings=0'].map(parseThreshold))).toEqual({
      thresholds: { http_req_duration: ['p(99)<500', 'max<2000'], checks: ['rate>0.999', 'rate==1'], http_reqs: ['rate>100'] },
      unmapped: ['errors<3'],
    });
  });
});
