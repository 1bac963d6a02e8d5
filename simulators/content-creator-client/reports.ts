/**
 * What the reference Content Creators send: the project's valid send fixtures, each with a fresh
 * id so repeated runs against one Consumer never collide.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { parseJson } from '../../src/fhir/json.js';
import { projectRoot } from '../../src/harness.js';

export type Profile = 'madx' | 'rpc';

export function sendFixture<R>(profile: Profile, file: string): R {
  return parseJson(readFileSync(join(projectRoot, 'fixtures', profile, 'send', file), 'utf8')) as R;
}

/** A valid report of the fixture, with an id of this run. */
export function freshReport(profile: Profile, file: string): MeasureReport & { id: string } {
  const report = sendFixture<MeasureReport>(profile, file);
  return { ...report, id: `${report.id}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}` };
}

/** The Measure every report of the profile's fixtures follows. */
export function measureOf(profile: Profile): string {
  return sendFixture<MeasureReport>(profile, 'measurereport-valid.json').measure;
}

/** The mADX collection of several reports, each with an id of this run. */
export function freshCollection(): Bundle {
  const bundle = sendFixture<Bundle>('madx', 'bundle-valid.json');
  const suffix = Date.now().toString(36);
  return {
    ...bundle,
    entry: (bundle.entry ?? []).map((e) => ({ ...e, resource: { ...(e.resource as MeasureReport), id: `${e.resource?.id}-${suffix}` } })),
  };
}
