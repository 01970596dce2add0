/**
 * The session machine (xstate v5): owns what LLDB is asked and when. It never parses bytes (the
 * transport actor hands it tokens from protocol/) and never touches node-pty (the transport comes
 * from a factory in its input). Every state that waits has a timeout and an error exit.
 *
 * It follows the script's own channel, never LLDB's terminal: the script says hello when it is
 * imported (LLDB's startup commands) and `done` at the end of every dx- command. Nothing the
 * target prints, to its output or to a terminal, can move it.
 *
 *   starting --hello--> settingUp --done--> running --done--> draining --synced--> quitting --> done
 *        \____________ LLDB exits, times out, or aborted: failed / aborted ___________/
 */
import { and, assign, fromCallback, not, sendTo, setup } from 'xstate';
import { ForgedFrameDetector } from '../protocol/forged-frames';
import { OutputScanner, type Token } from '../protocol/output-scanner';
import type { Transport } from '../transport/transport';
import type { DebugExitEvent } from '../timeline/events';
import { lastOutputOf, type SessionFailure } from './failure';
import { SessionLog, type RejectedFrame } from './session-log';

export interface SessionInput {
  openTransport: () => Transport;
  nonce: string;
  /** How long dx-run may take in all: the inferior's --timeout plus a grace for LLDB itself. */
  runTimeoutMs: number;
  startupTimeoutMs?: number;
  /** Called with every token, in order (progress display, logging). */
  onToken?: (token: Token) => void;
  /**
   * `capture` runs the program with dx-run and quits; `interactive` starts the probe watcher
   * (dx-watch) and hands the terminal to the person; `check` (doctor) quits after dx-setup, with
   * the probes resolved and nothing run.
   */
  mode?: 'capture' | 'interactive' | 'check';
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
  /** Frames rejected: malformed or out of order on the channel, or seen in LLDB's terminal. */
  rejected: RejectedFrame[];
  rejectedCount: number;
  failure: SessionFailure | null;
  aborted: boolean;
  /** The last few KiB of LLDB's plain text output (for error messages). */
  tail: string;
}

/** Only what changes the session's state reaches the machine; events and text go to the log. */
type MachineEvent =
  | { type: 'HELLO' }
  | { type: 'DONE'; command: string }
  | { type: 'LLDB_EXIT'; exitCode: number; signal?: number }
  | { type: 'SYNCED' }
  | { type: 'ABORT' };

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
/** The channel carries frames only: the scanner's prompt is one it can never hold. */
const NO_PROMPT = '\u0001';

const transportLogic = fromCallback<TransportCommand, TransportInput>(({ sendBack, receive, input }) => {
  const transport = input.openTransport();
  const channel = new OutputScanner({ nonce: input.nonce, prompt: NO_PROMPT });
  const forged = new ForgedFrameDetector();
  const { log } = input;
  const fromChannel = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token.type === 'event') {
        const event = token.event;
        if (event.kind === 'done') sendBack({ type: 'DONE', command: event.command });
        else if (log.addEvent(event)) {
          input.onToken?.(token);
          if (event.kind === 'hello') sendBack({ type: 'HELLO' });
        }
      } else if (token.type === 'bad-frame') log.reject({ source: 'channel', reason: token.reason, claimed: null });
      else if (token.type === 'text')
        log.reject({ source: 'channel', reason: 'bytes outside a frame on the channel', claimed: null });
    }
  };
  const synced = new MarkerWatch(syncMarker(input.nonce));
  const fromTerminal = (chunk: string) => {
    if (synced.push(chunk)) sendBack({ type: 'SYNCED' });
    for (const frame of forged.push(chunk))
      log.reject({
        source: 'terminal',
        reason: "a frame in LLDB's terminal output, not on the script's channel",
        claimed: frame.claimed,
      });
    log.appendText(chunk);
    input.onToken?.({ type: 'text', text: chunk });
  };
  const data = transport.onData(fromTerminal);
  const events = transport.onChannel((chunk) => fromChannel(channel.push(chunk)));
  const exit = transport.onExit((e) => {
    fromChannel(channel.end());
    sendBack({ type: 'LLDB_EXIT', exitCode: e.exitCode, signal: e.signal });
  });
  const sync = `${syncCommand(input.nonce)}\n`;
  receive((command) => {
    if (command.type === 'SEND' && command.data === sync) synced.arm();
    if (command.type === 'SEND') transport.write(command.data);
    else if (command.type === 'RELEASE' && transport.release) transport.release();
    else transport.dispose();
  });
  return () => {
    data.dispose();
    events.dispose();
    exit.dispose();
    transport.dispose();
  };
});

/**
 * The end of a capture's terminal output. After the last dx-run, LLDB is asked to print a marker
 * that only it can print: `script print("dx-synced", NONCE)` prints `dx-synced NONCE`, which the
 * echo of the command line does not hold, and the nonce never reaches the program. Everything
 * LLDB wrote before (the program's relayed output, the exit report) is before the marker on the
 * pty, so once the marker is read, the recording has all of it: no wait for a quiet terminal.
 */
export function syncMarker(nonce: string): string {
  return `dx-synced ${nonce}`;
}

/** The nonce is ours ([A-Za-z0-9_-], as the recording header requires): nothing to quote. */
const NONCE_RE = /^[A-Za-z0-9_-]{1,128}$/;

export function syncCommand(nonce: string): string {
  if (!NONCE_RE.test(nonce)) throw new Error(`not a session nonce: ${JSON.stringify(nonce)}`);
  return `script print("dx-synced", "${nonce}")`;
}

/**
 * Finds a marker in a text that comes in chunks (a marker may be cut between two). It looks only
 * once armed (the sync command sent): the program's output before it costs nothing.
 */
export class MarkerWatch {
  private carry = '';
  private found = false;
  private armed = false;
  constructor(private readonly marker: string) {}

  arm(): void {
    this.armed = true;
  }

  /** True once, for the chunk that completes the first occurrence after arm(). */
  push(chunk: string): boolean {
    if (this.found || !this.armed) return false;
    const text = this.carry + chunk;
    if (text.includes(this.marker)) {
      this.found = true;
      this.carry = '';
      return true;
    }
    this.carry = text.slice(-(this.marker.length - 1));
    return false;
  }
}

/** LLDB prints the marker at once; without it (a recording made before it existed ends with its
 * lldb-exit marker instead), quit after this long. */
const SYNC_TIMEOUT_MS = 5000;

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

/** Guard: the `done` of this command. */
const doneWith =
  (command: string) =>
  ({ event }: { event: MachineEvent }) =>
    event.type === 'DONE' && event.command === command;

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
    sync: () => SYNC_TIMEOUT_MS,
  },
  guards: {
    interactive: ({ context }) => context.input.mode === 'interactive',
    check: ({ context }) => context.input.mode === 'check',
    moreRuns: ({ context }) => context.runs < (context.input.repeat ?? 1),
    releaseOnQuit: ({ context }) => context.input.releaseOnQuit === true && context.failure === null,
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
      actions: fail((c) => ({
        code: 'lldb-died',
        message: 'LLDB exited during the session',
        lastOutput: lastOutputOf(c.log.tail),
      })),
    },
    ABORT: { target: '.aborted' },
  },
  states: {
    starting: {
      on: { HELLO: 'settingUp' },
      after: { startup: { target: 'failed', actions: fail(scriptNotLoaded) } },
    },
    settingUp: {
      entry: send(() => 'dx-setup'),
      on: {
        DONE: [
          { guard: not(doneWith('dx-setup')) },
          { guard: not('scriptSpoke'), target: 'quitting', actions: fail(scriptNotLoaded) },
          { guard: and(['targetLoaded', 'interactive']), target: 'watching' },
          { guard: and(['targetLoaded', 'check']), target: 'quitting' },
          { guard: 'targetLoaded', target: 'running' },
          { target: 'quitting', actions: fail(scriptError('target-failed')) },
        ],
      },
      after: { command: { target: 'failed', actions: fail(noAnswer('dx-setup')) } },
    },
    running: {
      entry: [send(() => 'dx-run'), assign({ runs: ({ context }) => context.runs + 1 })],
      on: {
        DONE: [
          { guard: not(doneWith('dx-run')) },
          { guard: 'moreRuns', target: 'running', reenter: true },
          { target: 'draining' },
        ],
      },
      after: {
        run: {
          target: 'failed',
          actions: fail((c) => ({
            code: 'lldb-hung',
            message: 'LLDB did not finish the run in time',
            lastOutput: lastOutputOf(c.log.tail),
          })),
        },
      },
    },
    draining: {
      // The script's `done` comes on the channel, which may be read before the pty's last bytes:
      // quit once LLDB's sync marker is read on the terminal (syncMarker), so the recording has
      // all of LLDB's output.
      entry: send((input) => syncCommand(input.nonce)),
      on: { SYNCED: 'quitting', LLDB_EXIT: 'done' },
      after: { sync: 'quitting' },
    },
    watching: {
      entry: send(() => 'dx-watch'),
      on: { DONE: [{ guard: not(doneWith('dx-watch')) }, { target: 'handedOver' }] },
      after: { command: { target: 'failed', actions: fail(noAnswer('dx-watch')) } },
    },
    handedOver: {
      // The person's prompt: LLDB's usual one, which the machine never needed.
      entry: 'handOver',
      on: { LLDB_EXIT: 'done' },
    },
    quitting: {
      // Live captures do not wait for LLDB's teardown (releaseOnQuit): its last output is read.
      entry: send(() => 'quit'),
      always: { guard: 'releaseOnQuit', target: 'done' },
      on: { LLDB_EXIT: 'done', DONE: {} },
      after: { quit: 'done' },
    },
    done: {
      type: 'final',
      entry: sendTo('transport', ({ context }) => ({
        type: context.input.releaseOnQuit ? ('RELEASE' as const) : ('CLOSE' as const),
      })),
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
    rejected: context.log.rejected,
    rejectedCount: context.log.rejectedCount,
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
    return {
      code,
      message: error && error.kind === 'error' ? error.message : code,
      lastOutput: lastOutputOf(c.log.tail),
    };
  };
}

/** The script must connect and say hello: otherwise the import failed. */
function scriptNotLoaded(c: Context): SessionFailure {
  return {
    code: 'script-not-loaded',
    message:
      'the debug-exit LLDB script did not load or did not connect to debug-exit (is this LLDB built with Python?)',
    lastOutput: lastOutputOf(c.log.tail),
  };
}
