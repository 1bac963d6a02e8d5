// A 150 MB JSON Bundle (the project's SANER MeasureReport fixtures, over and over) validated by `measure-conformance
// validate`: wall time and peak memory (max RSS) of the command, streaming the Bundle entry by entry,
// and, for comparison, of reading and validating the whole file at once (the command before it
// streamed). Target: <= 20 s and <= 400 MB for the command.
// Run: npm run bench -- validate-large
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mc-bench-large-'));
const file = join(dir, 'large-bundle.json');
const TARGET_BYTES = 150e6;

// Written as a stream: the bench itself must not hold 150 MB of objects.
const out = createWriteStream(file);
out.write('{"resourceType":"Bundle","id":"large","type":"collection","entry":[\n');
const fixtures = readdirSync(join(root, 'fixtures', 'saner'))
  .filter((f) => f.startsWith('measurereport-'))
  .map((f) => JSON.parse(readFileSync(join(root, 'fixtures', 'saner', f), 'utf8')) as Record<string, unknown>);
const entryText = (i: number) => `{"fullUrl":"urn:uuid:00000000-0000-0000-0000-${String(i).padStart(12, '0')}","resource":${JSON.stringify({ ...fixtures[i % fixtures.length], id: `r${i}` })}}`;
let written = 0;
let count = 0;
while (written < TARGET_BYTES) {
  const text = `${count ? ',\n' : ''}${entryText(count)}`;
  if (!out.write(text)) await once(out, 'drain');
  written += Buffer.byteLength(text);
  count++;
}
out.end('\n]}\n');
await once(out, 'finish');
const size = statSync(file).size;
process.stdout.write(`Bundle: ${(size / 1e6).toFixed(1)} MB, ${count.toLocaleString('en-US')} entries\n`);

/** Runs `script` in a fresh node (with tsx) and returns its wall time and peak RSS. */
function measure(label: string, script: string): void {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = (performance.now() - started) / 1000;
  const rss = /maxRSS=(\d+)/.exec(r.stdout)?.[1];
  const detail = r.stdout.split('\n').find((l) => l.startsWith('result:')) ?? r.stderr.trim().split('\n').slice(-2).join(' ');
  process.stdout.write(`${label.padEnd(44)} ${seconds.toFixed(1).padStart(6)} s   peak RSS ${rss ? `${(Number(rss) / 1024).toFixed(0).padStart(5)} MB` : '    ?'}   ${detail}\n`);
}

const report = `process.stdout.write('maxRSS=' + process.resourceUsage().maxRSS + '\\n');`;
measure(
  'validate (streamed, entry by entry)',
  `import { main } from './src/cli/main.ts';
   let issues = 0; const io = { stdout: (t) => { issues += t.split('\\n').length - 1; }, stderr: () => {}, cwd: process.cwd(), env: {}, quiet: true, signal: new AbortController().signal };
   const code = await main(['validate', ${JSON.stringify(file)}], io);
   process.stdout.write('result: exit ' + code + ', ' + (issues - 1) + ' issue line(s)\\n'); ${report}`,
);
measure(
  'whole file at once (before streaming)',
  `import { readFileSync } from 'node:fs';
   import { parseAnyResource } from './src/fhir/format.ts';
   import { validateResource } from './src/fhir/validation/index.ts';
   const issues = validateResource(parseAnyResource(readFileSync(${JSON.stringify(file)}, 'utf8')).resource);
   process.stdout.write('result: ' + issues.length + ' issue(s)\\n'); ${report}`,
);
rmSync(dir, { recursive: true, force: true });
