/**
 * The session machine (xstate v5): owns what LLDB is asked and when. It never parses bytes (the
 * transport actor hands it tokens from protocol/) and never touches node-pty (the transport comes
 * from a factory in its input). Every state that waits has a timeout and an error exit.
 *
 *   starting --prompt--> importing --prompt--> settingUp --prompt+hello--> running --prompt--> quitting --> done
 *        \___________________ LLDB exits, times out, or aborted: failed / aborted ____________/
 */
import { and, assign, fromCallback, not, sendTo, setup } from 'xstate';
import { OutputScanner, type Token } from '../protocol/output-scanner';
import type { Transport } from '../transport/transport';
import type { DebugExitEvent } from '../timeline/events';
import { lastOutputOf, type SessionFailure } from './failure';
import { SessionLog } from './session-log';

export interface SessionInput {
  openTransport: () => Transport;
  nonce: string;
  prompt: string;
  scriptPath: string;
  specPath: string;
  /** How long dx-run may take in all: the inferior's --timeout plus a grace for LLDB itself. */
  runTimeoutMs: number;
  startupTimeoutMs?: number;
  /** Called with every token, in order (progress display, logging). */
  onToken?: (token: Token) => void;
  /**
   * `capture` runs the program with dx-run and quits; `interactive` starts the probe watcher
   * (dx-watch), gives LLDB its ordinary prompt back and hands the terminal to the person.
   */
  mode?: 'capture' | 'interactive';
  /** Capture mode: run the program this many times in the one session (--repeat); default 1. */
  repeat?: number;
  /**
   * Once `quit` is sent everything is captured: end the session there and leave LLDB to finish its
   * teardown alone (the transport's release() reaps it). Live captures; a replay reads to the end.
   */
  releaseOnQuit?: boolean;
  /** Interactive mode: called once, when the person gets the prompt. */
  onHandover?: () => void;
}

export interface SessionOutput {
  events: DebugExitEvent[];
  badFrames: string[];
  failure: SessionFailure | null;
  aborted: boolean;
  /** The last few KiB of LLDB's plain text output (for error messages). */
  tail: string;
}

/** Only what changes the session's state reaches the machine; events and text go to the log. */
type MachineEvent = { type: 'PROMPT' } | { type: 'LLDB_EXIT'; exitCode: number; signal?: number } | { type: 'ABORT' };

type TransportCommand = { type: 'SEND'; data: string } | { type: 'CLOSE' } | { type: 'RELEASE' };

interface Context {
  input: SessionInput;
  /** dx-run commands sent so far. */
  runs: number;
  log: SessionLog;
  failure: SessionFailure | null;
  aborted: boolean;
}

type TransportInput = SessionInput & { log: SessionLog };
const QUIT_TIMEOUT_MS = 5000;

/** LLDB command lines. Paths are ours (a temp folder and the package), quoted for LLDB's parser. */
export function lldbQuote(path: string): string {
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const transportLogic = fromCallback<TransportCommand, TransportInput>(({ sendBack, receive, input }) => {
  const transport = input.openTransport();
  const scanner = new OutputScanner({ nonce: input.nonce, prompt: input.prompt });
  const { log } = input;
  const deliver = (tokens: Token[]) => {
    for (const token of tokens) {
      input.onToken?.(token);
      if (token.type === 'prompt') sendBack({ type: 'PROMPT' });
      else if (token.type === 'event') log.events.push(token.event);
      else if (token.type === 'text') log.appendText(token.text);
      else log.badFrames.push(token.reason);
    }
  };
  const data = transport.onData((chunk) => deliver(scanner.push(chunk)));
  const exit = transport.onExit((e) => {
    deliver(scanner.end());
    sendBack({ type: 'LLDB_EXIT', exitCode: e.exitCode, signal: e.signal });
  });
  receive((command) => {
    if (command.type === 'SEND') transport.write(command.data);
    else if (command.type === 'RELEASE' && transport.release) transport.release();
    else transport.dispose();
  });
  return () => {
    data.dispose();
    exit.dispose();
    transport.dispose();
  };
});

/** Entry action: send one command line to LLDB. */
const send = (line: (input: SessionInput) => string) => ({
  type: 'send' as const,
  params: ({ context }: { context: Context }) => ({ line: line(context.input) }),
});

/** Transition action: record why the session failed. */
const fail = (build: (context: Context) => SessionFailure) => ({
  type: 'fail' as const,
  params: ({ context }: { context: Context }) => build(context),
});

export const sessionMachine = setup({
  types: {
    context: {} as Context,
    events: {} as MachineEvent,
    input: {} as SessionInput,
    output: {} as SessionOutput,
  },
  actors: { transport: transportLogic },
  actions: {
    send: sendTo('transport', (_, params: { line: string }) => ({ type: 'SEND' as const, data: `${params.line}\n` })),
    fail: assign({ failure: (_, params: SessionFailure) => params }),
    handOver: ({ context }) => context.input.onHandover?.(),
  },
  delays: {
    startup: ({ context }) => context.input.startupTimeoutMs ?? 20000,
    command: () => 20000,
    run: ({ context }) => context.input.runTimeoutMs,
    quit: () => QUIT_TIMEOUT_MS,
  },
  guards: {
    interactive: ({ context }) => context.input.mode === 'interactive',
    moreRuns: ({ context }) => context.runs < (context.input.repeat ?? 1),
    releaseOnQuit: ({ context }) => context.input.releaseOnQuit === true,
    scriptSpoke: ({ context }) => context.log.has((e) => e.kind === 'hello'),
    targetLoaded: ({ context }) => !context.log.has((e) => e.kind === 'error' && e.code === 'target-failed'),
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({ input, runs: 0, log: new SessionLog(), failure: null, aborted: false }),
  invoke: { id: 'transport', src: 'transport', input: ({ context }) => ({ ...context.input, log: context.log }) },
  initial: 'starting',
  on: {
    LLDB_EXIT: {
      target: '.failed',
      actions: fail((c) => ({ code: 'lldb-died', message: 'LLDB exited during the session', lastOutput: lastOutputOf(c.log.tail) })),
    },
    ABORT: { target: '.aborted' },
  },
  states: {
    starting: {
      on: { PROMPT: 'importing' },
      after: {
        startup: {
          target: 'failed',
          actions: fail((c) => ({ code: 'lldb-no-prompt', message: 'LLDB did not show its prompt', lastOutput: lastOutputOf(c.log.tail) })),
        },
      },
    },
    importing: {
      entry: send((i) => `command script import ${lldbQuote(i.scriptPath)}`),
      on: { PROMPT: 'settingUp' },
      after: { command: { target: 'failed', actions: fail(noAnswer('command script import')) } },
    },
    settingUp: {
      entry: send((i) => `dx-setup ${lldbQuote(i.specPath)}`),
      on: {
        PROMPT: [
          { guard: not('scriptSpoke'), target: 'quitting', actions: fail(scriptNotLoaded) },
          { guard: and(['targetLoaded', 'interactive']), target: 'watching' },
          { guard: 'targetLoaded', target: 'running' },
          { target: 'quitting', actions: fail(scriptError('target-failed')) },
        ],
      },
      after: { command: { target: 'failed', actions: fail(noAnswer('dx-setup')) } },
    },
    running: {
      entry: [send(() => 'dx-run'), assign({ runs: ({ context }) => context.runs + 1 })],
      on: {
        PROMPT: [{ guard: 'moreRuns', target: 'running', reenter: true }, { target: 'quitting' }],
      },
      after: {
        run: {
          target: 'failed',
          actions: fail((c) => ({ code: 'lldb-hung', message: 'LLDB did not finish the run in time', lastOutput: lastOutputOf(c.log.tail) })),
        },
      },
    },
    watching: {
      entry: send(() => 'dx-watch'),
      on: { PROMPT: 'handedOver' },
      after: { command: { target: 'failed', actions: fail(noAnswer('dx-watch')) } },
    },
    handedOver: {
      // The person's prompt: LLDB's usual one. The unique prompt has done its job.
      entry: [send(() => 'settings set prompt "(lldb)\\x20"'), 'handOver'],
      on: { LLDB_EXIT: 'done' },
    },
    quitting: {
      entry: send(() => 'quit'),
      always: { guard: 'releaseOnQuit', target: 'done' },
      on: { LLDB_EXIT: 'done', PROMPT: {} },
      after: { quit: 'done' },
    },
    done: {
      type: 'final',
      entry: sendTo('transport', ({ context }) => ({ type: context.input.releaseOnQuit ? ('RELEASE' as const) : ('CLOSE' as const) })),
    },
    failed: { type: 'final', entry: sendTo('transport', { type: 'CLOSE' }) },
    aborted: {
      type: 'final',
      entry: [assign({ aborted: true }), sendTo('transport', { type: 'CLOSE' })],
    },
  },
  output: ({ context }) => ({
    events: context.log.events,
    badFrames: context.log.badFrames,
    failure: context.failure,
    aborted: context.aborted,
    tail: context.log.tail,
  }),
});

function noAnswer(command: string) {
  return (c: Context): SessionFailure => ({
    code: 'lldb-hung',
    message: `LLDB did not answer \`${command}\``,
    lastOutput: lastOutputOf(c.log.tail),
  });
}

function scriptError(code: 'target-failed') {
  return (c: Context): SessionFailure => {
    const error = c.log.events.find((e) => e.kind === 'error' && e.code === code);
    return { code, message: error && error.kind === 'error' ? error.message : code, lastOutput: lastOutputOf(c.log.tail) };
  };
}

/** After dx-setup, the script must have said hello: otherwise the import failed. */
function scriptNotLoaded(c: Context): SessionFailure {
  return {
    code: 'script-not-loaded',
    message: 'the debug-exit LLDB script did not load (is this LLDB built with Python?)',
    lastOutput: lastOutputOf(c.log.tail),
  };
}
