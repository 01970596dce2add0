/** The CLI entry point: parse, dispatch, map errors to messages and exit codes. */
import { formatFailure, isDebugExitError, exitCodeFor } from '../session/failure';
import { parseArgs, USAGE } from './args';
import { runCapture } from './capture-command';
import { runDemo } from './demo-command';
import { runDoctor } from './doctor-command';
import { runInteractive } from './interactive-command';
import { runInspect } from './inspect-command';
import { runReplay } from './replay-command';
import { createLogger } from './log';

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const log = createLogger(args.logLevel);
    if (args.command === 'replay') return await runReplay(args);
    if (args.command === 'interactive') return await runInteractive(args);
    if (args.command === 'doctor') return await runDoctor(args, log);
    if (args.command === 'inspect') return runInspect(args);
    return args.command === 'capture' ? await runCapture(args, log) : await runDemo(args, log);
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
