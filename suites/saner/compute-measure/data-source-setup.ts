/**
 * What the Data Source suite searches: the generated Compute Measure data set, fixed by a patient
 * count and a seed (`sut.dataSet`, default 50 patients and seed 1; the reference Data Source holds
 * the one the suite started it with). Unless config says the SUT holds it already, setup PUTs it
 * with the generator's ids, referenced resources first (the engine tags every write and undoes it
 * when the suite ends, putting back what the SUT held before). A SUT that holds it is checked on a
 * sample of its resources; a read-only SUT that does not hold it gets every test skipped, saying why.
 */
import type { CapabilityStatement, Location, OperationOutcome, Resource } from 'fhir/r4.js';
import { TestStop, statusText, type FhirResponse, type SuiteEnvironment } from '../../../src/engine/index.js';
import { computeFixtures, generateDataSet } from '../../../simulators/data-source/index.js';
import type { DataSet } from '../../../simulators/data-source/generator.js';

/** Small, so loading into a SUT and the reference run stay quick; the generator's least for its week is 21. */
export const DATA_SET_DEFAULTS = { patients: 50, seed: 1 } as const;

export interface DataSourceFixture {
  patients: number;
  seed: number;
  dataSet: DataSet;
  /** `Type/id` of every resource of the data set the SUT holds; a match outside it is the SUT's own data and is not judged. */
  held: ReadonlySet<string>;
  /** Types whose resources the SUT did not take, with why: their searches cannot be judged. */
  unloaded: ReadonlyMap<string, string>;
  /** The SUT's CapabilityStatement, when GET [base]/metadata answered one (what it says about `:in`). */
  capability: CapabilityStatement | undefined;
}

export const keyOf = (r: Resource): string => `${r.resourceType}/${r.id}`;

/** The fixtures a Data Source holds beside the clinical data: the facility, its organization, and the value sets `:in` names. */
const SUPPORTING = new Set(['Organization', 'Location', 'ValueSet']);

/** Loading order, referenced before referencing: a server that checks references refuses a bed before its ward. */
function layerOf(r: Resource): number {
  switch (r.resourceType) {
    case 'Organization':
    case 'ValueSet':
      return 0;
    case 'Location': {
      const location = r as Location;
      if (!location.partOf) return 1;
      return location.physicalType?.coding?.some((c) => c.code === 'wa') ? 2 : 3;
    }
    case 'Patient':
      return 4;
    case 'Device':
      return 5;
    case 'Encounter':
      return 6;
    default:
      return 7;
  }
}

/** Writes at once against a SUT: enough to load a few hundred resources quickly, few enough not to flood it. */
const WIDTH = 8;

async function eachAtOnce<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WIDTH, items.length) }, worker));
}

export function diagnosticsOf(res: FhirResponse): string {
  const parsed = res.text.trim() ? res.tryResource<OperationOutcome>() : undefined;
  if (!parsed?.ok || parsed.resource.resourceType !== 'OperationOutcome') return '';
  const text = (parsed.resource.issue ?? []).map((i) => i.diagnostics ?? i.details?.text ?? i.code).join('; ');
  return text ? ` (${text.length > 200 ? `${text.slice(0, 197)}…` : text})` : '';
}

async function load(env: SuiteEnvironment, resources: readonly Resource[], what: string): Promise<{ held: Set<string>; unloaded: Map<string, string> }> {
  const held = new Set<string>();
  const unloaded = new Map<string, string>();
  const layers = [...new Set(resources.map(layerOf))].sort((a, b) => a - b).map((layer) => resources.filter((r) => layerOf(r) === layer));
  try {
    for (const layer of layers) {
      await eachAtOnce(layer, async (r) => {
        if (unloaded.has(r.resourceType)) return;
        const res = await env.sut.update(r);
        if (res.status === 200 || res.status === 201) held.add(keyOf(r));
        else if (!unloaded.has(r.resourceType)) unloaded.set(r.resourceType, `PUT [base]/${keyOf(r)} answered ${statusText(res.status)}${diagnosticsOf(res)}`);
      });
    }
  } catch (err) {
    if (err instanceof TestStop && err.kind === 'skip') {
      throw new TestStop(
        'skip',
        `the SUT does not hold ${what}, and this run may not write to it (--read-only): load that data set into it and set sut.dataSet.loaded: true, or run without --read-only`,
      );
    }
    throw err;
  }
  if (held.size === 0) {
    const why = [...unloaded.values()][0] ?? 'nothing was sent';
    throw new TestStop('skip', `the SUT took none of ${what}: ${why}; load it another way and set sut.dataSet.loaded: true`);
  }
  for (const [type, why] of unloaded) env.note(`the SUT did not take the data set's ${type} resources: ${why}; searches of ${type} are not judged`);
  env.note(`put ${held.size} resources of ${what} into the SUT with their generator ids; they are removed (or the SUT's own versions put back) when the suite ends`);
  return { held, unloaded };
}

/** Where what the SUT holds differs from what the data set wrote (elements the SUT adds are fine, meta is its own). */
function difference(held: unknown, written: unknown, path: string): string | undefined {
  if (typeof written === 'string' && typeof held === 'string') {
    const same = held === written || (/^\d{4}-\d{2}-\d{2}T/.test(written) && Date.parse(held) === Date.parse(written));
    return same ? undefined : `has ${path} ${JSON.stringify(held)} where the data set has ${JSON.stringify(written)}`;
  }
  if (Array.isArray(written)) {
    if (!Array.isArray(held)) return `has no list at ${path}`;
    const missing = written.findIndex((w) => !held.some((h) => difference(h, w, path) === undefined));
    return missing < 0 ? undefined : `lacks ${path}[${missing}] of the data set (${JSON.stringify(written[missing]).slice(0, 120)})`;
  }
  if (written !== null && typeof written === 'object') {
    if (held === null || typeof held !== 'object') return `has no ${path}`;
    for (const [k, w] of Object.entries(written)) {
      if (k === 'meta') continue;
      const found = difference((held as Record<string, unknown>)[k], w, path ? `${path}.${k}` : k);
      if (found) return found;
    }
    return undefined;
  }
  return held === written ? undefined : `has ${path} ${JSON.stringify(held)} where the data set has ${JSON.stringify(written)}`;
}

/** Resources read back to confirm the data set: spread over it, since the seed changes most records but not all. */
const SAMPLES = 8;

/**
 * A sample of the data set, read back: the last patient (another size lacks it or has another one)
 * and resources spread over the whole list (another seed draws other records).
 */
async function confirmHeld(env: SuiteEnvironment, resources: readonly Resource[], what: string): Promise<void> {
  const patients = resources.filter((r) => r.resourceType === 'Patient');
  const spread = Array.from({ length: SAMPLES }, (_, k) => resources[Math.floor((k * (resources.length - 1)) / (SAMPLES - 1))]!);
  const sentinels = [...new Set([patients[patients.length - 1]!, ...spread])];
  for (const written of sentinels) {
    const res = await env.sut.read(written.resourceType, written.id!);
    const parsed = res.status === 200 ? res.tryResource() : undefined;
    const problem = !parsed ? `answered ${statusText(res.status)}` : !parsed.ok ? parsed.error : difference(parsed.resource, written, '');
    if (problem) {
      throw new TestStop('skip', `sut.dataSet.loaded says the SUT holds ${what}, but GET [base]/${keyOf(written)} ${problem}: load that data set, or name the patients and seed of the one it holds`);
    }
  }
  env.note(`the SUT holds ${what} (sut.dataSet.loaded): ${sentinels.map(keyOf).join(', ')} read back as the generator wrote them`);
}

async function capabilityOf(env: SuiteEnvironment): Promise<CapabilityStatement | undefined> {
  const res = await env.sut.capabilities();
  const parsed = res.status === 200 ? res.tryResource<CapabilityStatement>() : undefined;
  return parsed?.ok && parsed.resource.resourceType === 'CapabilityStatement' ? parsed.resource : undefined;
}

export async function setUpDataSource(env: SuiteEnvironment): Promise<DataSourceFixture> {
  const { patients, seed, loaded } = { ...DATA_SET_DEFAULTS, loaded: false, ...env.config.dataSet };
  const dataSet = generateDataSet({ patients, seed });
  const resources = [...computeFixtures().filter((r) => SUPPORTING.has(r.resourceType)), ...dataSet.resources];
  const what = `the Compute Measure data set of ${patients} patients with seed ${seed}`;
  let held: ReadonlySet<string> = new Set(resources.map(keyOf));
  let unloaded: ReadonlyMap<string, string> = new Map();
  if (loaded) await confirmHeld(env, resources, what);
  else ({ held, unloaded } = await load(env, resources, what));
  env.useData(
    loaded ? 'named' : 'generated',
    loaded ? `${what}, which sut.dataSet says the SUT holds (confirmed by a sample read back)` : `${what}, put into the SUT for this suite (tagged, and removed when the suite ends)`,
  );
  return { patients, seed, dataSet, held, unloaded, capability: await capabilityOf(env) };
}
