/**
 * The reporting period of an evaluation, from the `periodStart` and `periodEnd` inputs of
 * `$evaluate-measure`. SANER's ReportingPeriod is start inclusive, end exclusive; a report writes
 * both instants to the second with an offset (DateTimePreciseToSecond), so that is the one form
 * the computer holds them in.
 */
import type { Period } from 'fhir/r4.js';
import { FhirError } from '../../src/fhir/errors.js';

export interface ReportingPeriod {
  /** `YYYY-MM-DDThh:mm:ss+hh:mm`, inclusive. */
  start: string;
  /** `YYYY-MM-DDThh:mm:ss+hh:mm`, exclusive. */
  end: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

function invalid(parameter: string, value: string): FhirError {
  return FhirError.of(400, 'invalid', `${parameter} '${value}' is not a FHIR date or dateTime (e.g. 2020-04-03 or 2020-04-03T00:00:00-04:00)`, parameter);
}

function utcDay(date: string, parameter: string): Date {
  const m = DATE.exec(date);
  const day = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== date) throw invalid(parameter, date);
  return day;
}

/** An instant in the UTC form a report writes: seconds and `+00:00`, no fraction. */
export function utcInstant(time: Date): string {
  return `${time.toISOString().slice(0, 19)}+00:00`;
}

/**
 * One boundary. A date is a whole day read in UTC (the project's search engine reads zone-less
 * values the same way), so `periodStart=2020-04-03&periodEnd=2020-04-03` is that one day: the end
 * of a date is the next midnight. A dateTime keeps its own offset; without one it is UTC.
 */
function boundary(value: string, parameter: string, side: 'start' | 'end'): { text: string; time: number } {
  if (DATE.test(value)) {
    const day = utcDay(value, parameter);
    if (side === 'end') day.setUTCDate(day.getUTCDate() + 1);
    return { text: utcInstant(day), time: day.getTime() };
  }
  const m = DATE_TIME.exec(value);
  if (!m) throw invalid(parameter, value);
  const [, date = '', hh = '', mm = '', ss = '00', zone] = m;
  utcDay(date, parameter);
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) throw invalid(parameter, value);
  const offset = zone === undefined || zone === 'Z' ? '+00:00' : zone;
  const text = `${date}T${hh}:${mm}:${ss}${offset}`;
  return { text, time: Date.parse(text) };
}

export function reportingPeriod(periodStart: string | undefined, periodEnd: string | undefined): ReportingPeriod {
  if (!periodStart) throw FhirError.of(400, 'required', '$evaluate-measure needs periodStart (1..1), the start of the reporting period', 'periodStart');
  if (!periodEnd) throw FhirError.of(400, 'required', '$evaluate-measure needs periodEnd (1..1), the end of the reporting period', 'periodEnd');
  const start = boundary(periodStart.trim(), 'periodStart', 'start');
  const end = boundary(periodEnd.trim(), 'periodEnd', 'end');
  if (end.time <= start.time) {
    throw FhirError.of(400, 'invalid', `the reporting period ends (${end.text}) before it starts (${start.text})`, 'periodEnd');
  }
  return { start: start.text, end: end.text };
}

/** The period of the same length just before this one (SANER's PriorReportingPeriod). */
export function priorPeriod(period: ReportingPeriod): Period {
  const start = Date.parse(period.start);
  const length = Date.parse(period.end) - start;
  return { start: utcInstant(new Date(start - length)), end: utcInstant(new Date(start)) };
}
