/** The configuration a command works from: config.yaml (or --config FILE), with --sut URL laid over it. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultConfig, loadConfig, type LoadedConfig } from '../config/load.js';
import { UsageError, type CliIo } from './command.js';

export function configFrom(file: string | undefined, sutUrl: string | undefined, io: Pick<CliIo, 'cwd' | 'env'>): LoadedConfig {
  const path = resolve(io.cwd, file ?? 'config.yaml');
  const loaded = file !== undefined || existsSync(path) ? loadConfig(path, io.env) : defaultConfig();
  if (sutUrl !== undefined) {
    if (!/^https?:\/\/[^/]/.test(sutUrl)) throw new UsageError(`--sut must be an absolute http(s) URL, not ${JSON.stringify(sutUrl)}`);
    loaded.config.sut = { ...(loaded.config.sut ?? { name: sutUrl }), baseUrl: sutUrl };
  }
  return loaded;
}

/** A report folder's name for a run that started at `d`: the UTC instant, with no character a file system refuses. */
export function folderTimestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z');
}
