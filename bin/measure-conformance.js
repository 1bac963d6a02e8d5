#!/usr/bin/env node
// In a development checkout (src/ present) the CLI runs from the TypeScript sources through tsx, so
// it never lags behind an edit; an installed package, which ships only the compiled dist/, runs that.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/entry.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/src/cli/entry.js', import.meta.url).href);
}
