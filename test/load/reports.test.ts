// What the load scenarios send stays valid under the profile of their transaction across facilities,
// days and counts, and what they send as invalid is invalid; the counts really vary.
import type { Bundle, MeasureReport, Resource } from 'fhir/r4.js';
import { afterEach, describe, expect, it } from 'vitest';
import '../../ig/index.js';
import { MADX_MEASURE_REPORT } from '../../ig/madx/profiles.js';
import { RPC_MEASURE_REPORT } from '../../ig/rpc/profiles.js';
import { PUBLIC_HEALTH_MEASURE_REPORT } from '../../ig/saner/profiles.js';
import { projectValidator } from '../../src/fhir/codec.js';
import { runLoad } from '../../src/load/run.js';
import { SCENARIOS } from '../../src/load/scenarios/index.js';
import { factorOf } from '../../src/load/templates.js';
import { startStandIn, type StandIn } from './stand-in.js';

let server: StandIn | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PROFILE: Record<string, string> = { 'produce-measure': PUBLIC_HEALTH_MEASURE_REPORT, 'madx-send': MADX_MEASURE_REPORT, 'rpc-send': RPC_MEASURE_REPORT };

async function errorsOf(resource: Resource, profile: string): Promise<string[]> {
  return (await projectValidator(resource, { profiles: [profile] })).filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => `${i.expression ?? ''} ${i.message}`);
}

/** The reports a request carries: the body, or each entry of a collection Bundle. */
function reportsIn(body: string): MeasureReport[] {
  const parsed = JSON.parse(body) as Resource;
  return parsed.resourceType === 'Bundle' ? ((parsed as Bundle).entry ?? []).map((e) => e.resource as MeasureReport) : [parsed as MeasureReport];
}

describe('reports the scenarios send', () => {
  for (const name of Object.keys(PROFILE)) {
    it(`${name}: valid under ${PROFILE[name]!.split('/').pop()} over 13 facilities and many days; the invalid ones are not`, async () => {
      server = await startStandIn();
      await runLoad({
        scenario: SCENARIOS[name]!,
        baseUrl: server.url,
        sut: { name: 'stand-in', simulated: false },
        http: {},
        model: { type: 'closed', concurrency: 4 },
        bounds: { requests: 160, rampMs: 0 },
        facilities: 13,
        invalidShare: 0.25,
        validateSample: 0,
        keepData: true,
        thresholds: [],
        signal: new AbortController().signal,
      });
      const writes = server.requests.filter((r) => r.method === 'POST' || r.method === 'PUT');
      const accepted = writes.filter((r) => r.status < 300).flatMap((r) => reportsIn(r.body));
      const refused = writes.filter((r) => r.status >= 400).flatMap((r) => reportsIn(r.body));
      expect(accepted.length).toBeGreaterThan(40);
      expect(refused.length).toBeGreaterThan(5);
      for (const report of accepted) expect(await errorsOf(report, PROFILE[name]!), JSON.stringify(report).slice(0, 300)).toEqual([]);
      for (const report of refused) expect((await errorsOf(report, PROFILE[name]!)).length, JSON.stringify(report).slice(0, 300)).toBeGreaterThan(0);
      // Facilities and periods vary, and so do the counts where the profile has counts.
      const periods = new Set(accepted.map((r) => r.period?.start));
      expect(periods.size).toBeGreaterThan(1);
      const subjects = new Set(accepted.map((r) => JSON.stringify([r.subject, r.contained])));
      expect(subjects.size).toBeGreaterThan(2);
      if (name !== 'rpc-send') expect(new Set(accepted.map((r) => r.group?.[0]?.population?.[0]?.count)).size).toBeGreaterThan(3);
    });
  }

  it('the count factor stays within 0.8 to 1.2 and differs between facilities, days and revisions', () => {
    const factors = new Set<number>();
    for (let f = 0; f < 20; f++)
      for (let d = 0; d < 20; d++)
        for (let r = 0; r < 2; r++) {
          const x = factorOf(f, d, r);
          expect(x).toBeGreaterThanOrEqual(0.8);
          expect(x).toBeLessThanOrEqual(1.2);
          factors.add(x);
        }
    expect(factors.size).toBeGreaterThan(300);
  });
});
