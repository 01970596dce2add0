/**
 * The exit as a Mermaid `sequenceDiagram`, to paste into a ```mermaid block or mermaid.live: one
 * lane per party of the exit story (the program's thread, the allocator, the profile writer,
 * debug-exit itself), one arrow or note per event that bears on the verdicts, each labelled with
 * its seq, and a closing note with the diagnosis and the allocator-cleanup-first verdict.
 *
 * Lanes are roles, not threads: the question is who runs before whom, and the roles say that
 * whatever thread they ran on (a hit off the main thread names its thread in its label). Pure and
 * deterministic; the bare diagram text, ending with one newline.
 */
import type {
  DebugExitEvent,
  ExitEvent,
  Frame,
  IntegrityEvent,
  ProbeHitEvent,
  ProbeRole,
  SignalEvent,
} from '../events';
import { ref } from '../evidence';
import type { AtexitRegistration, RegistrationKind } from '../registrations';
import type { Report } from '../report';
import { baseSymbol, callerFrame, catalogueSymbols, innermostWriterFrame, isProfileWriterSymbol } from '../symbols';
import type { Timeline } from '../timeline';
import { resultText, VERDICTS } from '../verdict-registry';
import { commandLine, detailOf, symbolOf } from './describe';
import { wrap } from './layout';

/** The lanes, in the order they are drawn (left to right). Ids are plain words: Mermaid's lexer takes them as they are. */
type Lane = 'Program' | 'Allocator' | 'Writer' | 'LLDB';
const LANES: readonly Lane[] = ['Program', 'Allocator', 'Writer', 'LLDB'];

/** Roles whose hits are the program's own doing (its thread calling exit, registering handlers). */
const PROGRAM_ROLES: readonly ProbeRole[] = ['main', 'process-exit', 'atexit-register'];
/** The hits shown: the roles that place the exit, the teardown and the write. */
const SHOWN_ROLES: readonly ProbeRole[] = [
  ...PROGRAM_ROLES,
  'allocator-teardown',
  'allocator-release',
  'profile-write',
];

/** Width of the lines of the closing note (Mermaid does not wrap notes by itself). */
const NOTE_WIDTH = 64;

/** One line of the diagram, before the lanes it uses are known. */
interface Step {
  lanes: Lane[];
  line: string;
}

export function renderMermaid(report: Report): string {
  const { timeline } = report;
  const mainTid = mainThreadOf(timeline);
  const steps = timeline.events.flatMap((event) => stepsOf(event, timeline, mainTid));
  const used = LANES.filter(
    (lane) => lane === 'Program' || lane === 'LLDB' || steps.some((s) => s.lanes.includes(lane)),
  );
  const lines = [
    'sequenceDiagram',
    `  title ${escapeText(`debug-exit: ${commandLine(timeline)}`)}`,
    ...used.map((lane) => `  participant ${lane} as ${escapeText(laneLabel(lane, timeline, mainTid))}`),
    ...steps.map((step) => `  ${step.line}`),
    `  ${conclusionNote(report, used)}`,
  ];
  return `${lines.map(guardStyleRule).join('\n')}\n`;
}

/** The event's line, or none for the events that do not bear on the exit (probes, hello, launch, init). */
function stepsOf(event: DebugExitEvent, timeline: Timeline, mainTid: number | null): Step[] {
  switch (event.kind) {
    case 'hit':
      return hitSteps(event, timeline, mainTid);
    case 'integrity':
      return [message('LLDB', 'Writer', '-->>', `${ref(event.seq)} ${integrityLabel(event)}`)];
    case 'experiment':
      return [message('LLDB', 'Writer', '->>', `${ref(event.seq)} ${event.name}: ${detailOf(event)}`)];
    case 'signal':
      return [
        message(
          laneOfFrames(event.frames),
          'LLDB',
          '-x',
          `${ref(event.seq)} ${signalLabel(event)}${threadSuffix(event, mainTid)}`,
        ),
      ];
    case 'exit':
      return [message('Program', 'LLDB', '-->>', `${ref(event.seq)} ${exitLabel(event)}`)];
    case 'error':
      return [note('LLDB', `${ref(event.seq)} error ${event.code}: ${event.message}`)];
    case 'hello':
    case 'probe-resolved':
    case 'launched':
    case 'exit-handler':
    case 'census':
      return [];
  }
}

/**
 * A probe hit as an arrow from the lane of its caller to the lane of its role: the exit handlers
 * calling `mi_process_done` is Program -> Allocator, the writer's own calls stay on its lane.
 * Registrations are shown only when they register the writer or the allocator's teardown (the
 * rest are under Prediction in the text report), as a dotted arrow to the lane whose handler it is.
 */
function hitSteps(hit: ProbeHitEvent, timeline: Timeline, mainTid: number | null): Step[] {
  if (!SHOWN_ROLES.includes(hit.role)) return [];
  const thread = threadSuffix(hit, mainTid);
  if (hit.role === 'atexit-register') {
    const kind = registrationOf(timeline, hit.seq)?.kind ?? 'other';
    if (kind === 'other') return [];
    return [
      message('Program', laneOfRegistration(kind), '-->>', `${ref(hit.seq)} ${symbolOf(hit)} registered${thread}`),
    ];
  }
  const caller = callerFrame(hit);
  const from = caller === undefined ? 'Program' : laneOfSymbol(caller.symbol);
  return [message(from, laneOfRole(hit.role), '->>', `${ref(hit.seq)} ${hit.symbol}${thread}`)];
}

/** By seq, built once per timeline: a census has thousands of registrations, looked up once per hit. */
const registrationsBySeq = new WeakMap<Timeline, Map<number, AtexitRegistration>>();

function registrationOf(timeline: Timeline, seq: number): AtexitRegistration | undefined {
  let bySeq = registrationsBySeq.get(timeline);
  if (bySeq === undefined) {
    bySeq = new Map(timeline.registrations.map((r) => [r.seq, r]));
    registrationsBySeq.set(timeline, bySeq);
  }
  return bySeq.get(seq);
}

function message(from: Lane, to: Lane, arrow: '->>' | '-->>' | '-x', text: string): Step {
  return { lanes: [from, to], line: `${from}${arrow}${to}: ${escapeText(text)}` };
}

function note(lane: Lane, text: string): Step {
  return { lanes: [lane], line: `Note over ${lane}: ${escapeText(text)}` };
}

function laneOfRole(role: ProbeRole): Lane {
  if (PROGRAM_ROLES.includes(role)) return 'Program';
  return role === 'profile-write' ? 'Writer' : 'Allocator';
}

function laneOfRegistration(kind: Exclude<RegistrationKind, 'other'>): Lane {
  return kind === 'profile-writer' ? 'Writer' : 'Allocator';
}

/** Whose code a frame is: the writer's, mimalloc's (catalogue symbols, `mi_`/`_mi_` names), or the program's. */
function laneOfSymbol(symbol: string): Lane {
  if (isProfileWriterSymbol(symbol)) return 'Writer';
  return isAllocatorSymbol(symbol) ? 'Allocator' : 'Program';
}

const ALLOCATOR_SYMBOLS = new Set([
  ...catalogueSymbols('allocator-init'),
  ...catalogueSymbols('allocator-teardown'),
  ...catalogueSymbols('allocator-release'),
]);

function isAllocatorSymbol(symbol: string): boolean {
  const name = baseSymbol(symbol);
  return ALLOCATOR_SYMBOLS.has(name) || name.startsWith('mi_') || name.startsWith('_mi_');
}

/** A crash belongs to the writer when a writer frame is on its stack, else to the innermost known code. */
function laneOfFrames(frames: readonly Frame[]): Lane {
  if (innermostWriterFrame(frames) !== undefined) return 'Writer';
  return frames.some((frame) => isAllocatorSymbol(frame.symbol)) ? 'Allocator' : 'Program';
}

/** `SIGSEGV in getCurFilenameLength (fault address 0x4)` */
function signalLabel(event: SignalEvent): string {
  const where = event.frames[0]?.symbol ?? event.pc;
  const fault = event.fault_address === undefined ? '' : ` (fault address ${event.fault_address})`;
  return `${event.signal} in ${where}${fault}`;
}

/** `profile data corrupt (5.75 records, raw version 10 layout)`: the finding; its reasons are in the other reports. */
function integrityLabel(event: IntegrityEvent): string {
  const records = event.records === undefined ? [] : [`${event.records} records`];
  const layout = event.runtime_version === undefined ? [] : [`raw version ${event.runtime_version} layout`];
  const facts = [...records, ...layout];
  return facts.length === 0 ? symbolOf(event) : `${symbolOf(event)} (${facts.join(', ')})`;
}

function exitLabel(event: ExitEvent): string {
  return event.signal === undefined ? `exited with status ${event.status}` : `terminated by signal ${event.signal}`;
}

/** The thread that ran `main` (the program's lane); else the first thread seen. */
function mainThreadOf(timeline: Timeline): number | null {
  const main = timeline.events.find((e) => e.kind === 'hit' && e.role === 'main');
  const first = main ?? timeline.events.find((e) => e.kind === 'hit' || e.kind === 'signal');
  return first !== undefined && (first.kind === 'hit' || first.kind === 'signal') ? first.tid : null;
}

/** ` (thread 4243 worker)` for an event off the main thread; nothing on it. */
function threadSuffix(event: ProbeHitEvent | SignalEvent, mainTid: number | null): string {
  if (mainTid === null || event.tid === mainTid) return '';
  return ` (thread ${event.tid}${event.thread_name === undefined ? '' : ` ${event.thread_name}`})`;
}

function laneLabel(lane: Lane, timeline: Timeline, mainTid: number | null): string {
  switch (lane) {
    case 'Program':
      return mainTid === null ? 'program' : `program, thread ${mainTid}${threadName(timeline, mainTid)}`;
    case 'Allocator':
      return 'allocator (mimalloc)';
    case 'Writer':
      return 'profile writer';
    case 'LLDB':
      return 'debug-exit (LLDB)';
  }
}

function threadName(timeline: Timeline, tid: number): string {
  for (const event of timeline.events) {
    if ((event.kind === 'hit' || event.kind === 'signal') && event.tid === tid && event.thread_name !== undefined) {
      return ` ${event.thread_name}`;
    }
  }
  return '';
}

/** The closing note across every lane: the conclusion, its summary, the allocator-cleanup-first verdict. */
function conclusionNote(report: Report, lanes: readonly Lane[]): string {
  const { diagnosis, verdicts } = report;
  const parts = [
    `Diagnosis: ${diagnosis.conclusion.toUpperCase()}`,
    ...wrap(diagnosis.summary, NOTE_WIDTH, ''),
    ...VERDICTS.filter((m) => m.mermaid === true).map((m) => `${m.name}: ${resultText(m, verdicts)}`),
  ];
  const span = lanes.length === 1 ? lanes[0] : `${lanes[0]},${lanes[lanes.length - 1]}`;
  // `<br>` is Mermaid's line break in notes; the parts themselves are escaped, so it is the only tag.
  return `Note over ${span}: ${parts.map(escapeText).join('<br>')}`;
}

/**
 * Characters Mermaid's sequence lexer or its HTML sanitising would take for syntax, as Mermaid's
 * own entity codes (`#59;` is `;`; Mermaid turns `#code;` into `&#code;` in the SVG):
 * `#` starts a comment or an entity, `;` ends a statement, `<` `>` make tags (`<br>`), `&` is
 * escaped again by the sanitiser, `"` `'` and backticks quote in some diagram kinds, `%` starts
 * `%%` comments and directives. Line breaks would end the statement: they become spaces.
 */
const ENTITY: Readonly<Record<string, string>> = {
  '#': '#35;',
  ';': '#59;',
  '<': '#60;',
  '>': '#62;',
  '&': '#38;',
  '"': '#34;',
  "'": '#39;',
  '`': '#96;',
  '%': '#37;',
};

export function escapeText(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/[#;<>&"'`%]/g, (char) => ENTITY[char] ?? char);
}

/**
 * Mermaid strips the last `;` of any line matching `style.*:\S*#.*;` or `classDef.*:\S*#.*;` (its
 * preprocessing of CSS colours, applied to the whole text) — which would cut the last entity of a
 * label such as `#12 style::Foo<T>` short. On such lines, a `:` followed (without a space) by an
 * entity is written `#58;` too; the `: ` after an arrow or `Note over` is never touched.
 */
export function guardStyleRule(line: string): string {
  if (!/style|classDef/.test(line)) return line;
  return line.replace(/:(?=\S*#)/g, '#58;');
}
