// tsc emits only what the program imports; data files the code reads at run time (the R4 model, …)
// are copied next to the compiled modules so dist/ runs on its own.
import { cpSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let copied = 0;
for (const top of ['src', 'simulators', 'suites', 'ig']) {
  for (const entry of readdirSync(join(root, top), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
    const from = join(entry.parentPath, entry.name);
    cpSync(from, join(root, 'dist', relative(root, from)));
    copied++;
  }
}
process.stdout.write(`copy-assets: ${copied} data files -> dist/\n`);
