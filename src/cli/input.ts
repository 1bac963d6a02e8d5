/** Reading the files a user names on the command line: a missing or unreadable one is an InputError (exit 2), never a raw ENOENT. */
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from './command.js';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links',
};

/** Why a file could not be read, in words (the errno code when it has none here). */
export function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) ?? code ?? (err as Error).message;
}

/** `file` (as the user wrote it): cannot read it (reason). */
export function unreadable(file: string, err: unknown): InputError {
  return new InputError(`${file}: cannot read it (${readFailure(err)})`);
}

/** Reads a text file named on the command line, relative to `cwd`. */
export async function readInputFile(file: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw unreadable(file, err);
  }
}

/** The size of a regular file named on the command line; an InputError when it is missing or not a file. */
export async function inputFileSize(file: string, cwd: string): Promise<number> {
  let info: Stats;
  try {
    info = await stat(resolve(cwd, file));
  } catch (err) {
    throw unreadable(file, err);
  }
  if (info.isDirectory()) throw unreadable(file, Object.assign(new Error('folder'), { code: 'EISDIR' }));
  return info.size;
}
