/**
 * GitHub Actions: with GITHUB_ACTIONS=true the console also carries `::error`/`::warning` workflow
 * commands, one per failed or warned requirement with its reason (as vitest's github-actions
 * reporter does for tests), and with GITHUB_STEP_SUMMARY set the job summary gets the readiness
 * matrix in Markdown.
 */
import { appendFile } from 'node:fs/promises';
import type { RunResults } from '../engine/results.js';
import { attentionItems } from './attention.js';
import { renderMarkdown } from './markdown.js';
import { serializeResults } from './results-file.js';

/** Workflow-command data: `%`, CR and LF encoded (actions/toolkit's escapeData). */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property values: as data, plus `:` and `,` (actions/toolkit's escapeProperty). */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One `::error` per failed or errored requirement and one `::warning` per warned one, failures first. */
export function githubAnnotations(results: RunResults): string[] {
  return attentionItems(results).flatMap(({ requirement: r, reason, test }) => {
    if (r.verdict === 'manual') return [];
    const command = r.verdict === 'warning' ? 'warning' : 'error';
    const what = r.verdict === 'warning' ? 'not met' : r.verdict === 'error' ? 'could not be decided' : 'fails';
    const title = `${r.id} (${r.expectation}) ${what}`;
    const message = `${r.statement}: ${reason}${test ? ` [test ${test.id}]` : ''}`;
    return [`::${command} title=${escapeProperty(title)}::${escapeData(message)}`];
  });
}

export interface GitHubIo {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Annotations on the console and the matrix in the step summary, each only where GitHub asks for it. */
export async function publishToGitHub(results: RunResults, io: GitHubIo): Promise<void> {
  if (io.env.GITHUB_ACTIONS === 'true') {
    const lines = githubAnnotations(results);
    if (lines.length) io.stdout(`${lines.join('\n')}\n`);
  }
  const summary = io.env.GITHUB_STEP_SUMMARY;
  if (summary) {
    try {
      await appendFile(summary, `${renderMarkdown(results, { resultsText: serializeResults(results) })}\n`);
    } catch (err) {
      io.stderr(`measure-conformance: could not write the step summary to ${summary}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    }
  }
}
