/** The CLI entry point: parse, dispatch, map errors to messages and exit codes. */
import { formatFailure, isDebugExitError, exitCodeFor } from '../session/failure';
import { parseArgs, USAGE } from './args';
import { createLogger } from './log';

// Each command loads its own modules when it runs: a capture starts LLDB without first loading
// the doctor, the demo or the renderers.

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const log = createLogger(args.logLevel);
    if (args.command === 'replay') return await (await import('./replay-command')).runReplay(args);
    if (args.command === 'interactive') return await (await import('./interactive-command')).runInteractive(args);
    if (args.command === 'doctor') return await (await import('./doctor-command')).runDoctor(args, log);
    if (args.command === 'inspect') return (await import('./inspect-command')).runInspect(args);
    if (args.command === 'merge') return (await import('./merge-command')).runMerge(args);
    if (args.command === 'capture') return await (await import('./capture-command')).runCapture(args, log);
    return await (await import('./demo-command')).runDemo(args, log);
  } catch (error) {
    if (isDebugExitError(error)) {
      process.stderr.write(`${formatFailure(error.failure)}\n`);
      if (error.failure.code === 'usage') process.stderr.write('run `debug-exit help` for usage\n');
      return exitCodeFor(error.failure);
    }
    process.stderr.write(`debug-exit: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.stdout.write('', () => process.exit(code)));
}
