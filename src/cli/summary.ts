/**
 * `--summary`: the Markdown report appended to the GitHub Actions job summary, the file named by
 * $GITHUB_STEP_SUMMARY. When it is not set (not on GitHub Actions), nothing is written and the
 * caller says so on stderr. Appended, never overwritten: other steps write there too.
 */
import * as fs from 'node:fs';

export type SummaryResult = { kind: 'appended'; path: string; bytes: number } | { kind: 'unset' };

export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): SummaryResult {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file === undefined || file === '') return { kind: 'unset' };
  const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
  fs.appendFileSync(file, text);
  return { kind: 'appended', path: file, bytes: Buffer.byteLength(text) };
}

export function describeSummary(result: SummaryResult): string {
  return result.kind === 'appended'
    ? `debug-exit: step summary: ${result.bytes} bytes of Markdown appended to ${result.path}`
    : 'debug-exit: --summary: GITHUB_STEP_SUMMARY is not set (not on GitHub Actions?): no step summary written';
}

/** A --repeat session in Markdown: the distribution, as the text report gives it. */
export function repeatMarkdown(text: string, runs: number): string {
  return `# debug-exit report: ${runs} runs\n\n\`\`\`text\n${text.replace(/```/g, "'''").trimEnd()}\n\`\`\`\n`;
}
