/**
 * The one argument parser of every command: node:util parseArgs, with the checks and messages it
 * leaves to its caller made the same everywhere ("unknown option --bogus; did you mean --suite?",
 * "--out needs a value"). Mistakes throw UsageError; main.ts prints them once with the hint to
 * `--help`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.js';
import { didYouMean } from './near-miss.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface PositionalSpec {
  /** How a positional is named in messages, e.g. `FILE`. */
  name: string;
  min: number;
  max: number;
}

const NONE: PositionalSpec = { name: 'argument', min: 0, max: 0 };

type Parsed<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>>;

export function parseCommandArgs<const O extends OptionsConfig>(args: string[], options: O, positionals: PositionalSpec = NONE): Parsed<O> {
  const { tokens } = parseArgs({ args, options, strict: false, tokens: true, allowPositionals: true });
  const seen = new Set<string>();
  const known = Object.keys(options).map((name) => `--${name}`);
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (!spec) throw new UsageError(`unknown option ${token.rawName}${didYouMean(`--${token.name}`, known)}`);
    if (spec.type === 'string') {
      // A following `--flag` is a forgotten value, not the value.
      if (token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('--'))) throw new UsageError(`--${token.name} needs a value`);
    } else if (token.inlineValue) {
      throw new UsageError(`--${token.name} takes no value`);
    }
    if (!spec.multiple && seen.has(token.name)) throw new UsageError(`--${token.name} given twice`);
    seen.add(token.name);
  }
  const parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  const count = parsed.positionals.length;
  if (count > positionals.max) {
    const extra = parsed.positionals[positionals.max];
    throw new UsageError(positionals.max === 0 ? `unexpected argument '${extra}'` : `too many arguments: '${extra}' (at most ${positionals.max} ${positionals.name})`);
  }
  if (count < positionals.min) throw new UsageError(`name ${positionals.min === 1 ? 'the' : `at least ${positionals.min}`} ${positionals.name}`);
  return parsed;
}
