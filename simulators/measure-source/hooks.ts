/**
 * Fault modes acting on what the Measure Source sends: resources made to violate the SANER
 * profiles or base R4, `_include=*` answers missing the report's subject, and a CapabilityStatement
 * listing only the format a `refuse-format` server still serves.
 */
import type { Bundle, CapabilityStatement, Location, Measure, MeasureReport, Resource } from 'fhir/r4.js';
import type { ActiveFaultsOf, ResponseEvent, ServerHooks } from '../../src/fhir/server/index.js';
import type { MeasureSourceFault } from './faults.js';

/** A report breaking PublicHealthMeasureReport twice: a date without seconds and zone, a subject without identifier. */
function invalidReport(report: MeasureReport): MeasureReport {
  const { identifier: _dropped, ...subject } = report.subject ?? {};
  return { ...report, date: (report.date ?? '2020-01-01').slice(0, 10), subject };
}

function invalidMeasure(measure: Measure): Measure {
  return { ...measure, extension: (measure.extension ?? []).filter((e) => !e.url.endsWith('/ReportingPeriod')) };
}

function invalidLocation(location: Location): Location {
  if (!location.position) return location;
  const { longitude: _dropped, ...position } = location.position;
  return { ...location, position: position as Location['position'] };
}

const DISTORTING = ['invalid-measurereport', 'invalid-measure', 'invalid-location'] as const;

function distort(resource: Resource, faults: ActiveFaultsOf<MeasureSourceFault>): Resource {
  if (resource.resourceType === 'MeasureReport' && faults.has('invalid-measurereport')) return invalidReport(resource as MeasureReport);
  if (resource.resourceType === 'Measure' && faults.has('invalid-measure')) return invalidMeasure(resource as Measure);
  if (resource.resourceType === 'Location' && faults.has('invalid-location')) return invalidLocation(resource as Location);
  return resource;
}

/** `refuse-format:<f>`: the CapabilityStatement lists only the format still served. */
function listedFormats(statement: CapabilityStatement, faults: ActiveFaultsOf<MeasureSourceFault>): CapabilityStatement {
  const refused = faults.argumentsOf('refuse-format');
  if (refused.length === 0) return statement;
  return { ...statement, format: (statement.format ?? []).filter((f) => !refused.some((r) => f.includes(r))) };
}

function withoutSubjects(bundle: Bundle): Bundle {
  const subjects = new Set((bundle.entry ?? []).flatMap((e) => (e.search?.mode === 'match' && e.resource?.resourceType === 'MeasureReport' ? [(e.resource as MeasureReport).subject?.reference] : [])));
  const entry = bundle.entry?.filter((e) => !(e.search?.mode === 'include' && e.resource && subjects.has(`${e.resource.resourceType}/${e.resource.id}`)));
  return { ...bundle, ...(entry ? { entry } : {}) };
}

export const measureSourceHooks: ServerHooks<MeasureSourceFault> = {
  beforeSend(event: ResponseEvent<MeasureSourceFault>, resource: Resource): Resource {
    const { faults } = event;
    if (resource.resourceType === 'CapabilityStatement') return listedFormats(resource as CapabilityStatement, faults);
    if (resource.resourceType !== 'Bundle') return distort(resource, faults);
    let bundle = resource as Bundle;
    if (faults.has('include-without-subject') && event.segments[0] === 'MeasureReport') bundle = withoutSubjects(bundle);
    if (!DISTORTING.some((f) => faults.has(f))) return bundle;
    return { ...bundle, ...(bundle.entry ? { entry: bundle.entry.map((e) => (e.resource ? { ...e, resource: distort(e.resource, faults) } : e)) } : {}) };
  },
};
