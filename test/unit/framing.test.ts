/**
 * The framing layer (src/protocol): a table of cases, each checked as given, in one chunk and one
 * code unit at a time; a fuzz of random chunkings of a realistic stream; a bound on what the scanner
 * holds back while it reads adversarial output.
 */
import { strict as assert } from 'node:assert';
import type { DebugExitEvent } from '../../src/timeline/events';
import { OutputScanner, encodeFrame, normalizeTokens, stripAnsi } from '../../src/protocol';
import type { OutputScannerOptions, Token } from '../../src/protocol';

const NONCE = 'a1b2c3d4e5f60718';
const PROMPT = '(dx-7f3e9a) ';
const OPTIONS: OutputScannerOptions = { nonce: NONCE, prompt: PROMPT };
const ESC = '\x1b';
const ST = '\x1b\\';

/** An expected token; a bad-frame's reason is matched by a pattern, not spelled out. */
type Expected = Exclude<Token, { type: 'bad-frame' }> | { type: 'bad-frame'; reason: RegExp; raw: string };

const text = (t: string): Expected => ({ type: 'text', text: t });
const prompt: Expected = { type: 'prompt' };
const event = (e: DebugExitEvent): Expected => ({ type: 'event', event: e });
const bad = (reason: RegExp, raw: string): Expected => ({ type: 'bad-frame', reason, raw });
const frame = (e: object, nonce = NONCE): string => encodeFrame(nonce, e);
/** A frame of ours around any body, exactly as it arrives (ESC _ dx;<nonce>;<body> ESC \). */
const ours = (body: string): string => `${ESC}_dx;${NONCE};${body}${ST}`;

const EXIT: DebugExitEvent = { seq: 9, t_ns: 91234000, kind: 'exit', status: 0 };
const HELLO: DebugExitEvent = {
  seq: 0,
  t_ns: 1000,
  kind: 'hello',
  schema: 'debug-exit/event@1',
  lldb_version: 'lldb-19.1.7',
  platform: 'linux',
};
const HIT: DebugExitEvent = {
  seq: 3,
  t_ns: 5000,
  kind: 'hit',
  role: 'allocator-teardown',
  symbol: 'mi_process_done',
  module: 'app',
  tid: 4242,
  pc: '0x401000',
  frames: [{ symbol: 'café::日本', module: 'app', pc: '0x401000', file: 'a.c', line: 3 }],
};

function scan(chunks: readonly string[], options: OutputScannerOptions = OPTIONS): Token[] {
  const scanner = new OutputScanner(options);
  const tokens = chunks.flatMap((chunk) => scanner.push(chunk));
  return normalizeTokens([...tokens, ...scanner.end()]);
}

function assertTokens(actual: Token[], expected: Expected[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: ${JSON.stringify(actual)}`);
  expected.forEach((want, i) => {
    const got = actual[i];
    if (want.type !== 'bad-frame') return assert.deepEqual(got, want, `${label}, token ${i}`);
    assert.equal(got.type, 'bad-frame', `${label}, token ${i}: ${JSON.stringify(got)}`);
    if (got.type !== 'bad-frame') return;
    assert.equal(got.raw, want.raw, `${label}, token ${i} raw`);
    assert.match(got.reason, want.reason, `${label}, token ${i} reason`);
  });
}

interface Case {
  name: string;
  chunks: string[];
  expect: Expected[];
  options?: Partial<OutputScannerOptions>;
}

const forged = (nonce: string) => `${ESC}_dx;${nonce};${JSON.stringify(EXIT)}${ST}`;
const paddedExit = (pad: number): DebugExitEvent => ({ ...EXIT, description: 'x'.repeat(pad) });
const SMALL_MAX = 200;
/** An exit event whose frame is exactly `length` code units long. */
const exitOfFrameLength = (length: number): DebugExitEvent => paddedExit(length - frame(paddedExit(0)).length);
const exitFrameOfLength = (length: number): string => frame(exitOfFrameLength(length));

const CASES: Case[] = [
  { name: 'plain event', chunks: [frame(EXIT)], expect: [event(EXIT)] },
  { name: 'two events in one chunk', chunks: [frame(HELLO) + frame(EXIT)], expect: [event(HELLO), event(EXIT)] },
  {
    name: 'events interleaved with text',
    chunks: ['Process 42 launched\r\n' + frame(HIT) + 'hello from app\n' + frame(EXIT) + 'tail'],
    expect: [text('Process 42 launched\r\n'), event(HIT), text('hello from app\n'), event(EXIT), text('tail')],
  },
  { name: 'non-ASCII event fields survive ensure_ascii', chunks: [frame(HIT)], expect: [event(HIT)] },
  {
    name: 'prompt detected',
    chunks: ['Process 42 exited\r\n' + PROMPT],
    expect: [text('Process 42 exited\r\n'), prompt],
  },
  {
    name: 'prompt split across chunks',
    chunks: ['out(dx-', '7f3', 'e9a', ') ', 'typed'],
    expect: [text('out'), prompt, text('typed')],
  },
  { name: 'partial prompt then the prompt', chunks: ['(dx-(dx-7f3e9a) '], expect: [text('(dx-'), prompt] },
  { name: 'partial prompt at the end is text', chunks: ['done (dx-7f3e9a)'], expect: [text('done (dx-7f3e9a)')] },
  { name: 'self-overlapping prompt', chunks: ['aaab'], expect: [text('a'), prompt], options: { prompt: 'aab' } },
  {
    name: 'back-to-back prompts do not overlap',
    chunks: ['ababab', 'ab!'],
    expect: [prompt, prompt, text('!')],
    options: { prompt: 'abab' },
  },
  {
    name: 'look-alike (lldb) prompt is text',
    chunks: ['(lldb) ', '(dx-other) '],
    expect: [text('(lldb) (dx-other) ')],
  },
  { name: 'forged: another nonce', chunks: [forged('deadbeefdeadbeef')], expect: [text(forged('deadbeefdeadbeef'))] },
  { name: 'forged: empty nonce', chunks: [forged('')], expect: [text(forged(''))] },
  {
    name: 'forged: a prefix of our nonce',
    chunks: [forged(NONCE.slice(0, 8))],
    expect: [text(forged(NONCE.slice(0, 8)))],
  },
  { name: 'forged: our nonce plus extra', chunks: [forged(NONCE + '0')], expect: [text(forged(NONCE + '0'))] },
  { name: 'forged: no nonce field', chunks: [`${ESC}_dx;{"seq":1}${ST}`], expect: [text(`${ESC}_dx;{"seq":1}${ST}`)] },
  {
    name: 'a prompt inside a forged frame is still the prompt',
    chunks: [`${ESC}_dx;x;${PROMPT}${ST}`],
    expect: [text(`${ESC}_dx;x;`), prompt, text(ST)],
  },
  { name: 'malformed JSON', chunks: [ours('{"seq":1,')], expect: [bad(/JSON/, ours('{"seq":1,'))] },
  { name: 'JSON that is not an object', chunks: [ours('[1,2]')], expect: [bad(/object/, ours('[1,2]'))] },
  {
    name: 'missing seq',
    chunks: [ours('{"t_ns":1,"kind":"exit","status":0}')],
    expect: [bad(/seq/, ours('{"t_ns":1,"kind":"exit","status":0}'))],
  },
  {
    name: 'seq as a string',
    chunks: [ours('{"seq":"1","t_ns":1,"kind":"exit","status":0}')],
    expect: [bad(/seq/, ours('{"seq":"1","t_ns":1,"kind":"exit","status":0}'))],
  },
  {
    name: 't_ns missing',
    chunks: [ours('{"seq":1,"kind":"exit","status":0}')],
    expect: [bad(/t_ns/, ours('{"seq":1,"kind":"exit","status":0}'))],
  },
  {
    name: 'unknown kind',
    chunks: [ours('{"seq":1,"t_ns":1,"kind":"telemetry"}')],
    expect: [bad(/unknown kind/, ours('{"seq":1,"t_ns":1,"kind":"telemetry"}'))],
  },
  {
    name: 'field the kind requires is missing',
    chunks: [ours('{"seq":1,"t_ns":1,"kind":"hit","role":"main","symbol":"main","module":"a","tid":1,"pc":"0x1"}')],
    expect: [
      bad(
        /frames/,
        ours('{"seq":1,"t_ns":1,"kind":"hit","role":"main","symbol":"main","module":"a","tid":1,"pc":"0x1"}'),
      ),
    ],
  },
  {
    name: 'unterminated ESC _ then a real frame',
    chunks: [`junk${ESC}_Gf=100;AAAA`, frame(EXIT)],
    expect: [text(`junk${ESC}_Gf=100;AAAA`), event(EXIT)],
  },
  {
    name: 'unterminated look-alike ESC _dx; then a real frame',
    chunks: [`${ESC}_dx;${NONCE.slice(0, 5)}` + frame(EXIT)],
    expect: [text(`${ESC}_dx;${NONCE.slice(0, 5)}`), event(EXIT)],
  },
  {
    name: 'unterminated ESC _ cannot hide the prompt',
    chunks: [`${ESC}_dx;`, PROMPT],
    expect: [text(`${ESC}_dx;`), prompt],
  },
  {
    name: 'our frame interrupted by a new APC',
    chunks: [`${ESC}_dx;${NONCE};{"seq":1` + frame(EXIT)],
    expect: [bad(/interrupted/, `${ESC}_dx;${NONCE};{"seq":1`), event(EXIT)],
  },
  {
    name: 'our frame interrupted by a CSI',
    chunks: [`${ESC}_dx;${NONCE};{"seq":1${ESC}[0mafter`],
    expect: [bad(/interrupted/, `${ESC}_dx;${NONCE};{"seq":1`), text(`${ESC}[0mafter`)],
  },
  {
    name: 'our frame unterminated at the end',
    chunks: [`${ESC}_dx;${NONCE};{"seq"`],
    expect: [bad(/unterminated/, `${ESC}_dx;${NONCE};{"seq"`)],
  },
  {
    name: 'our frame cut after its ESC',
    chunks: [`${ESC}_dx;${NONCE};{}${ESC}`],
    expect: [bad(/unterminated/, `${ESC}_dx;${NONCE};{}`), text(ESC)],
  },
  { name: 'other APC kind is text', chunks: [`${ESC}_Gf=100;AAAA${ST}x`], expect: [text(`${ESC}_Gf=100;AAAA${ST}x`)] },
  {
    name: 'CSI and OSC pass through as text',
    chunks: [`${ESC}[31mred${ESC}[0m${ESC}]0;title\x07`],
    expect: [text(`${ESC}[31mred${ESC}[0m${ESC}]0;title\x07`)],
  },
  { name: 'ESC ESC _ frame', chunks: [ESC, ESC, '_' + frame(EXIT).slice(2)], expect: [text(ESC), event(EXIT)] },
  { name: 'lone ESC at the end', chunks: ['a', ESC], expect: [text('a' + ESC)] },
  {
    name: 'multi-code-unit characters split between chunks',
    chunks: ['café 日', '本 \uD834', '\uDD1E done'],
    expect: [text('café 日本 \uD834\uDD1E done')],
  },
  {
    name: 'frame of exactly maxFrameBytes is accepted',
    chunks: [exitFrameOfLength(SMALL_MAX)],
    expect: [event(exitOfFrameLength(SMALL_MAX))],
    options: { maxFrameBytes: SMALL_MAX },
  },
  {
    name: 'frame one over maxFrameBytes is rejected, the rest is text, the next frame is an event',
    chunks: [exitFrameOfLength(SMALL_MAX + 1) + frame(EXIT)],
    expect: [
      bad(/longer than 200/, exitFrameOfLength(SMALL_MAX + 1).slice(0, SMALL_MAX - 2)),
      text(exitFrameOfLength(SMALL_MAX + 1).slice(SMALL_MAX - 2)),
      event(EXIT),
    ],
    options: { maxFrameBytes: SMALL_MAX },
  },
];

describe('protocol: OutputScanner', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const options = { ...OPTIONS, ...c.options };
      const input = c.chunks.join('');
      assertTokens(scan(c.chunks, options), c.expect, 'as given');
      assertTokens(scan([input], options), c.expect, 'one chunk');
      assertTokens(scan([...input.split('')], options), c.expect, 'one code unit per chunk');
    });
  }

  it('hands out text promptly, holding back only a possible frame or prompt start', () => {
    const scanner = new OutputScanner(OPTIONS);
    assert.deepEqual(scanner.push('line without newline'), [{ type: 'text', text: 'line without newline' }]);
    assert.deepEqual(scanner.push('x(dx-7f'), [{ type: 'text', text: 'x' }]);
    assert.deepEqual(scanner.push('Q'), [{ type: 'text', text: '(dx-7fQ' }]);
    assert.deepEqual(scanner.push(`y${ESC}_dx;a1`), [{ type: 'text', text: 'y' }]);
    assert.equal(scanner.heldBackLength, 7);
  });

  it('never hands out half of a surrogate pair', () => {
    const scanner = new OutputScanner(OPTIONS);
    assert.deepEqual(scanner.push('a\uD834'), [{ type: 'text', text: 'a' }]);
    assert.deepEqual(scanner.push('\uDD1Eb'), [{ type: 'text', text: '\uD834\uDD1Eb' }]);
    assert.deepEqual(scanner.push('\uD834'), []);
    assert.deepEqual(scanner.end(), [{ type: 'text', text: '\uD834' }]);
  });

  it('rejects unusable options', () => {
    assert.throws(() => new OutputScanner({ nonce: '', prompt: PROMPT }), /nonce/);
    assert.throws(() => new OutputScanner({ nonce: 'a;b', prompt: PROMPT }), /nonce/);
    assert.throws(() => new OutputScanner({ nonce: NONCE, prompt: '' }), /prompt/);
    assert.throws(() => new OutputScanner({ nonce: NONCE, prompt: `${ESC}[1m> ` }), /prompt/);
    assert.throws(() => new OutputScanner({ nonce: NONCE, prompt: PROMPT, maxFrameBytes: 10 }), /maxFrameBytes/);
  });
});

/** mulberry32: small, seeded, good enough to pick chunk sizes and noise. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

function randomJunk(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(Math.floor(random() * 0x3000));
  return out;
}

/** What an untrusted target prints: every look-alike we can think of, never our nonce or prompt. */
function targetNoise(random: () => number): string {
  const noise = [
    () => 'Process 4242 stopped\r\n* thread #1, name = "app"\r\n',
    () => '(lldb) ',
    () => PROMPT.slice(0, 1 + Math.floor(random() * (PROMPT.length - 1))),
    () => forged(pick(random, ['', 'deadbeefdeadbeef', NONCE.slice(0, 10), NONCE + 'ff', NONCE.toUpperCase()])),
    () => pick(random, [`${ESC}_`, `${ESC}_dx;`, `${ESC}_dx;${NONCE.slice(0, 6)}`, ESC, `${ESC}_G`]),
    () => `${ESC}[1;31merror${ESC}[0m ${ESC}]0;title\x07${ESC}]8;;http://x${ST}link`,
    () => 'café 日本 \uD834\uDD1E ',
    () => 'x'.repeat(1 + Math.floor(random() * 3000)),
    () => randomJunk(random, 1 + Math.floor(random() * 40)),
  ];
  return pick(random, noise)();
}

function sampleEvent(seq: number): DebugExitEvent {
  const base = { seq, t_ns: 1000 * seq + 7 };
  const frames = [{ symbol: `f${seq}`, module: 'app', pc: '0x401000', file: 'exit-order.c', line: seq }];
  const events: DebugExitEvent[] = [
    { ...base, kind: 'hello', schema: 'debug-exit/event@1', lldb_version: 'lldb-19', platform: 'linux' },
    { ...base, kind: 'probe-resolved', role: 'process-exit', symbol: 'exit', locations: 1, modules: ['libc.so.6'] },
    {
      ...base,
      kind: 'hit',
      role: 'atexit-register',
      symbol: '__cxa_atexit',
      module: 'libc.so.6',
      tid: 7,
      pc: '0x1',
      frames,
      registered: { address: '0x2', symbol: 'mi_process_done', module: 'libmimalloc.so' },
    },
    {
      ...base,
      kind: 'signal',
      signal: 'SIGSEGV',
      description: 'address not mapped: "é"',
      fault_address: '0x0',
      tid: 7,
      pc: '0x3',
      frames,
    },
    { ...base, kind: 'exit', status: 0 },
    { ...base, kind: 'error', code: 'script', message: `line 3: ${ESC} \n\t\\ "日本"` },
  ];
  return events[seq % events.length];
}

interface Stream {
  input: string;
  expected: Expected[];
  events: DebugExitEvent[];
}

function buildStream(random: () => number, eventCount: number): Stream {
  let input = '';
  const expected: Expected[] = [];
  const events: DebugExitEvent[] = [];
  const add = (piece: string, token: Expected) => {
    input += piece;
    expected.push(token);
  };
  for (let seq = 0; seq < eventCount; seq++) {
    while (random() < 0.6) {
      const noise = targetNoise(random);
      add(noise, text(noise));
    }
    const e = sampleEvent(seq);
    events.push(e);
    add(frame(e), event(e));
    if (random() < 0.3) add(PROMPT, prompt);
    if (random() < 0.1) add(ours('{"seq":'), bad(/JSON/, ours('{"seq":')));
  }
  add('bye\r\n', text('bye\r\n'));
  return { input, expected, events };
}

function mergeText(tokens: readonly Expected[]): Expected[] {
  const out: Expected[] = [];
  for (const token of tokens) {
    const last = out[out.length - 1];
    if (token.type === 'text' && last?.type === 'text') out[out.length - 1] = text(last.text + token.text);
    else out.push(token);
  }
  return out;
}

function randomChunks(random: () => number, input: string): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < input.length; ) {
    const size = 1 + Math.floor(random() * 200);
    chunks.push(input.slice(i, i + size));
    i += size;
  }
  return chunks;
}

describe('protocol: OutputScanner under random chunking', () => {
  const random = prng(0xd1e5);
  const stream = buildStream(random, 48);

  it('reads the whole stream as it was framed', () => {
    const tokens = scan([stream.input]);
    assertTokens(tokens, mergeText(stream.expected), 'one chunk');
    const events = tokens.flatMap((t) => (t.type === 'event' ? [t.event] : []));
    assert.deepEqual(events, stream.events);
    assert.equal(new Set(events.map((e) => e.kind)).size, 6, 'every kind of event is in the stream');
  });

  it('gives the same tokens for 1,000 random splits into chunks of 1 to 200 code units', function () {
    this.timeout(60_000);
    const whole = scan([stream.input]);
    for (let split = 0; split < 1000; split++) {
      const chunks = randomChunks(random, stream.input);
      assert.deepEqual(scan(chunks), whole, `split ${split} into ${chunks.length} chunks`);
    }
  });
});

describe('protocol: OutputScanner memory and time', () => {
  it('holds back only a few code units while reading 20 MB of adversarial output', function () {
    this.timeout(30_000);
    const random = prng(42);
    const scanner = new OutputScanner(OPTIONS);
    // The longest thing worth holding: `ESC _dx;<nonce>` one short of `;`, plus a split character.
    const bound = `${ESC}_dx;${NONCE}`.length + 1;
    let block = '';
    while (block.length < 64 * 1024) block += targetNoise(random);
    block = block.slice(0, 64 * 1024);
    const total = 20 * 1024 * 1024;
    let fed = 0;
    let textOut = 0;
    let maxHeld = 0;
    for (let i = 0; fed < total; i++) {
      // Rotating the block shifts every look-alike across chunk boundaries.
      const cut = (i * 4099) % block.length;
      const chunk = block.slice(cut) + block.slice(0, cut);
      for (const token of scanner.push(chunk)) {
        assert.equal(token.type, 'text', `unexpected ${JSON.stringify(token).slice(0, 200)}`);
        if (token.type === 'text') textOut += token.text.length;
      }
      fed += chunk.length;
      maxHeld = Math.max(maxHeld, scanner.heldBackLength);
      assert.ok(scanner.heldBackLength <= bound, `held back ${scanner.heldBackLength} code units after chunk ${i}`);
    }
    for (const token of scanner.end()) if (token.type === 'text') textOut += token.text.length;
    assert.equal(textOut, fed, 'every code unit read comes out as text');
    assert.ok(maxHeld > 0, 'the noise did make the scanner hold something back');
  });
});

describe('protocol: stripAnsi', () => {
  const cases: Array<[string, string, string]> = [
    ['plain text', 'Process 42 exited\r\n', 'Process 42 exited\r\n'],
    ['SGR colours', `${ESC}[1;31merror:${ESC}[0m bad`, 'error: bad'],
    ['erase line and cursor moves', `${ESC}[2K${ESC}[1G(lldb) ${ESC}[?2004h`, '(lldb) '],
    ['OSC ended by BEL', `${ESC}]0;title\x07after`, 'after'],
    ['OSC ended by ST', `${ESC}]8;;http://x${ST}link${ESC}]8;;${ST}`, 'link'],
    ['our APC frame', `a${frame(EXIT)}b`, 'ab'],
    ['short escapes', `${ESC}7${ESC}(Bx${ESC}8${ESC}=`, 'x'],
    ['unterminated OSC keeps its text', `${ESC}]0;still visible`, '0;still visible'],
    ['lone ESC at the end', `tail${ESC}`, 'tail'],
    ['8-bit CSI', '\x9b31mred', 'red'],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => assert.equal(stripAnsi(input), want));
  }
});
