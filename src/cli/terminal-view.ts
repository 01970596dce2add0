/**
 * What the person sees: LLDB's output as it comes (frames never shown), a short line per probe
 * hit, and at a crash or exit the run's timeline and verdict. Until the handover nothing of the
 * set-up is shown but a one-line summary.
 */
import type { Token } from '../protocol/tokens';
import { buildReport } from '../timeline/report';
import { renderReport } from '../timeline/render/renderer';
import { liveLine } from '../timeline/render/live';
import { safeText } from '../protocol/safe-text';
import { RunTracker, type Run } from '../timeline/runs';
import { buildTimeline, type CaptureTarget } from '../timeline/timeline';

/** LLDB's echo of the last set-up command. */
const WATCH_ECHO = /dx-watch[^\n]*\n/;

/** The terminal is in raw mode: no newline translation, so lines end in \r\n. */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

export class TerminalView {
  private readonly runs = new RunTracker();
  private handedOver = false;
  /** The echo of the last set-up command (dx-watch) is not the person's. */
  private skipEcho = false;
  private atLineStart = true;
  /** LLDB's output before the handover (set-up echoes), last few KiB: not the person's. */
  private beforeHandover = '';

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly session: {
      target: CaptureTarget;
      profileFile: string | null;
      census: boolean;
      aslr: 'on' | 'off';
    },
  ) {}

  handOver(): void {
    this.handedOver = true;
    // The machine hands over on the script's `done`, from the channel: LLDB's echo of dx-watch
    // and its prompt may come before or after it on the terminal.
    const echo = WATCH_ECHO.exec(this.beforeHandover);
    this.skipEcho = echo === null;
    const rest = echo === null ? '' : this.beforeHandover.slice(echo.index + echo[0].length);
    this.beforeHandover = '';
    const probes = this.runs.sharedEvents().filter((e) => e.kind === 'probe-resolved');
    const resolved = probes.filter((e) => e.kind === 'probe-resolved' && e.locations > 0).length;
    this.note(
      `debug-exit: probes in place (${resolved} of ${probes.length} resolved before launch; more resolve as libraries load). Type \`run\`.`,
    );
    this.write(rest);
  }

  token(token: Token): void {
    if (token.type === 'event') return token.event.kind === 'done' ? undefined : this.event(token.event);
    if (token.type === 'text' && this.handedOver) this.write(this.withoutEcho(token.text));
    else if (token.type === 'text') this.beforeHandover = (this.beforeHandover + token.text).slice(-4096);
  }

  private withoutEcho(text: string): string {
    if (!this.skipEcho) return text;
    this.beforeHandover = (this.beforeHandover + text).slice(-4096);
    const echo = WATCH_ECHO.exec(this.beforeHandover);
    if (echo === null) return '';
    this.skipEcho = false;
    const rest = this.beforeHandover.slice(echo.index + echo[0].length);
    this.beforeHandover = '';
    return rest;
  }

  private event(event: Parameters<RunTracker['add']>[0]): void {
    const change = this.runs.add(event);
    if (change === null || !this.handedOver) return;
    if (change.kind === 'started')
      this.note(
        `debug-exit: run ${change.run.index} (pid ${change.run.pid}), LLVM_PROFILE_FILE=${safeText(this.session.profileFile ?? '(unset)')}`,
      );
    if (change.kind === 'hit') this.note(safeText(liveLine(change.event)));
    if (change.kind === 'crashed')
      this.report(change.run, 'crashed: the program is stopped at the crash (bt, frame variable)');
    if (change.kind === 'ended' && !change.run.crashed) this.report(change.run, 'ended');
    if (change.kind === 'ended' && change.run.crashed) this.note(`debug-exit: run ${change.run.index} ended`);
  }

  private report(run: Run, what: string): void {
    const timeline = buildTimeline({ ...this.session, events: this.runs.eventsOf(run) });
    this.note(`debug-exit: run ${run.index} ${what}`);
    this.write(crlf(renderReport('text', buildReport(timeline))));
    // LLDB printed its prompt before this report: show it again below, where the cursor is.
    this.write('(lldb) ');
  }

  /** A line of ours, on a line of its own whatever LLDB or the program printed last. */
  private note(line: string): void {
    this.write(`${this.atLineStart ? '' : '\r\n'}${line}\r\n`);
  }

  private write(text: string): void {
    if (text.length === 0) return;
    this.out.write(text);
    this.atLineStart = text.endsWith('\n');
  }
}
