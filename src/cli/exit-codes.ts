/**
 * The exit codes of every command, in one place: CI scripts and the GitHub Action branch on them,
 * so a command never invents its own. README.md's table of exit codes is held equal to this one.
 */
export const EXIT = {
  /** The command did what it was asked and found nothing at or above the failing level. */
  ok: 0,
  /** A requirement or a validation failed (a file that does not parse is invalid content, so 1). */
  failed: 1,
  /** Usage, configuration or input error: a wrong option, a config mistake, a missing or unreadable file. */
  usage: 2,
  /** The system under test could not be reached, so nothing was judged. */
  unreachable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each code means in general; a command's `--help` says what 0 and 1 mean for it. */
export const EXIT_MEANINGS: Readonly<Record<ExitCode, string>> = {
  0: 'success',
  1: 'a requirement or a validation failed',
  2: 'usage, configuration or input error (a missing or unreadable file, a config mistake)',
  3: 'the system under test is unreachable',
};

/**
 * The "Exit codes:" paragraph of a command's help: its own words for 0 and 1 (and for 3 when it
 * can return it), then the shared meaning of 2.
 */
export function exitCodesHelp(own: { 0: string; 1?: string; 3?: string }): string {
  const parts = [`0 ${own[0]}`, ...(own[1] ? [`1 ${own[1]}`] : []), `2 ${EXIT_MEANINGS[2]}`, ...(own[3] ? [`3 ${own[3]}`] : [])];
  return `Exit codes: ${parts.join('; ')}.`;
}
