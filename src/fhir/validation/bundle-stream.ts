/**
 * Validation of a JSON Bundle read as a stream, one entry at a time, so a Bundle of any size is
 * checked in bounded memory with the same findings as validateResource on the whole of it:
 * - each entry is validated inside a Bundle of its own (structure, invariants, entry profiles),
 *   keeping what is found at or below that entry, renumbered to its place;
 * - the rest of the Bundle (everything but its entries) is checked for structure and invariants
 *   at the end, the Bundle-wide invariants (bdl-1, -2, -3, -4, -7, -9 … -12) on a skeleton of
 *   the entries (fullUrl, request, response, search, resource type, id and version).
 * A profile on the Bundle itself needs the whole Bundle: such a profile is reported as not
 * checked here (the caller validates the whole file when a Bundle profile is named).
 */
import type { Issue } from '../errors.js';
import { FhirError } from '../errors.js';
import { parseJson } from '../json.js';
import { BundleSplitter, type EntryText } from '../bundle-split.js';
import { checkInvariants } from './invariants.js';
import { validateResource, type ValidateOptions } from './index.js';
import { knownProfile } from './profiles.js';
import { validateStructure } from './structure.js';

type Json = Record<string, unknown>;

const MINI_OPEN = '{"resourceType":"Bundle","type":"collection","entry":[\n';
const MINI_CLOSE = '\n]}';

/** What a Bundle-wide invariant needs of an entry. */
function skeleton(entry: Json): Json {
  const resource = entry.resource as Json | undefined;
  const meta = resource?.meta as Json | undefined;
  const kept: Json = {};
  for (const key of ['fullUrl', 'request', 'response', 'search']) if (entry[key] !== undefined) kept[key] = entry[key];
  if (resource && typeof resource === 'object') {
    kept.resource = {
      resourceType: resource.resourceType,
      ...(resource.id !== undefined ? { id: resource.id } : {}),
      ...(meta?.versionId !== undefined ? { meta: { versionId: meta.versionId } } : {}),
    };
  }
  return kept;
}

/** A parse error located in the entry's own text, moved to its lines in the whole file. */
function parseIssue(entry: EntryText, error: FhirError): Issue {
  const message = error.message.replace(/at line (\d+), column (\d+)/, (_, l: string, c: string) => {
    const line = Number(l) - 1;
    return line <= 1 ? `at line ${entry.line}, column ${entry.column + Number(c) - 1}` : `at line ${entry.line + line - 1}, column ${c}`;
  });
  return { severity: 'error', code: 'structure', message: `cannot parse: ${message}`, expression: `Bundle.entry[${entry.index}]` };
}

function renumber(issues: Issue[], index: number): Issue[] {
  const own = 'Bundle.entry[0]';
  return issues
    .filter((i) => i.expression === own || i.expression?.startsWith(`${own}.`) || i.expression?.startsWith(`${own}[`))
    .map((i) => ({ ...i, expression: `Bundle.entry[${index}]${i.expression!.slice(own.length)}` }));
}

/**
 * Validates the Bundle whose JSON text `chunks` yields. Yields the issues of each entry as it is
 * read, then the issues of the Bundle's own elements and Bundle-wide invariants.
 */
export async function* validateBundleStream(chunks: AsyncIterable<Buffer>, options: ValidateOptions = {}): AsyncGenerator<Issue[]> {
  const splitter = new BundleSplitter();
  const skeletons: Json[] = [];
  for await (const chunk of chunks) {
    for (const entry of splitter.push(chunk)) {
      let mini: Json;
      try {
        mini = parseJson(MINI_OPEN + entry.text + MINI_CLOSE) as unknown as Json;
      } catch (err) {
        if (!(err instanceof FhirError)) throw err;
        skeletons.push({});
        yield [parseIssue(entry, err)];
        continue;
      }
      const item = (mini.entry as Json[])[0]!;
      skeletons.push(skeleton(item));
      yield renumber(validateResource(mini, options), entry.index);
    }
  }
  let shell: Json;
  try {
    shell = parseJson(splitter.end()) as unknown as Json;
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    yield err.issues.map((i) => ({ ...i, severity: 'error' as const, message: `cannot parse: ${i.message}` }));
    return;
  }
  const { entry: _none, ...own } = shell;
  const issues = validateStructure(own);
  const whole = skeletons.length ? { ...own, entry: skeletons } : own;
  issues.push(...checkInvariants(whole).filter((i) => !i.expression?.startsWith('Bundle.entry')));
  const declared = (own.meta as { profile?: unknown } | undefined)?.profile;
  for (const url of Array.isArray(declared) ? declared.filter((p): p is string => typeof p === 'string' && knownProfile(p)) : []) {
    issues.push({
      severity: 'information',
      code: 'not-supported',
      message: `profile ${url} of the Bundle itself was not checked: a Bundle this large is validated entry by entry`,
      expression: 'Bundle',
    });
  }
  yield issues;
}
