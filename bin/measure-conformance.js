#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` has produced it, and the TypeScript sources through tsx
// otherwise, so the command works both from a package install and from a development checkout.
import { existsSync } from 'node:fs';

const built = new URL('../dist/src/cli/entry.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/entry.ts', import.meta.url).href);
}
