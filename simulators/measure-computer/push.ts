/**
 * Push (SANER Produce Measure as the Measure Computer's grouped Measure Source): the computed report
 * is created on the Measure Consumer, or updated there when the Consumer already holds the report
 * of the same Measure version, subject, reporter and period, so a re-run never duplicates it.
 */
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { HttpClient } from '../../src/http/client.js';
import { TIMEOUTS } from '../../src/http/timeouts.js';
import { serializeJson } from '../../src/fhir/json.js';
import { queryString } from './query.js';

const FHIR_JSON = 'application/fhir+json';

export interface PushResult {
  /** The report's id on the Consumer. */
  id?: string;
  method: 'POST' | 'PUT';
  status: number;
}

export class PushError extends Error {
  override name = 'PushError';
}

/** The same report in the sense of SANER's create-or-update: measure, subject, reporter and period. */
export function sameReport(a: MeasureReport, b: MeasureReport): boolean {
  return (
    a.measure === b.measure &&
    a.subject?.reference === b.subject?.reference &&
    a.reporter?.reference === b.reporter?.reference &&
    a.period?.start === b.period?.start &&
    a.period?.end === b.period?.end
  );
}

async function existingId(http: HttpClient, report: MeasureReport): Promise<string | undefined> {
  const query = queryString([
    ['measure', report.measure],
    ['subject', report.subject?.reference ?? ''],
    ['_count', '1000'],
  ]);
  const res = await http.request({ url: `MeasureReport?${query}`, headers: { accept: FHIR_JSON } });
  if (res.status !== 200) return undefined;
  const bundle = JSON.parse(res.text) as Bundle;
  const match = (bundle.entry ?? []).map((e) => e.resource).find((r) => r?.resourceType === 'MeasureReport' && sameReport(r as MeasureReport, report));
  return match?.id;
}

function assignedId(location: string | undefined): string | undefined {
  return location ? /(?:^|\/)MeasureReport\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/|$)/.exec(location)?.[1] : undefined;
}

export async function pushReport(consumerUrl: string, report: MeasureReport): Promise<PushResult> {
  const http = new HttpClient({ baseUrl: consumerUrl, timeouts: { requestMs: TIMEOUTS.requestMs } });
  try {
    // The computer's own id and version are no business of the Consumer; the claimed profile is.
    const { id: _ownId, meta, ...content } = report;
    const sent: MeasureReport = { ...content, ...(meta?.profile ? { meta: { profile: meta.profile } } : {}) };
    const id = await existingId(http, report);
    const method = id ? 'PUT' : 'POST';
    const body = serializeJson(id ? { ...sent, id } : sent);
    const res = await http.request({ method, url: id ? `MeasureReport/${id}` : 'MeasureReport', headers: { 'content-type': FHIR_JSON, accept: FHIR_JSON }, body });
    if (res.status >= 300) throw new PushError(`${method} of the report to ${consumerUrl} answered ${res.status}: ${res.text.slice(0, 300)}`);
    const stored = id ?? assignedId(res.headers['location']);
    return { method, status: res.status, ...(stored ? { id: stored } : {}) };
  } finally {
    await http.close();
  }
}
