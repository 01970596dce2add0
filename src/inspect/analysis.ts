/**
 * The judgement, pure: from the facts of each image, group the profile records by the raw
 * version they were written for, name their functions, sources and compilers, and say whether
 * the profile data mixes LLVM versions, which code is foreign, and what fixes it.
 */
import type { CompileUnit } from './dwarf';
import { rawVersionOf, type ImageFacts } from './facts';
import { splitPgoName } from './prf-names';
import type { ProfRecord, RawVersion } from './prf-records';
import { compilerOf, compilersWriting } from './producers';

export type InspectResult = 'consistent' | 'mixed' | 'not-instrumented' | 'unknown';
export type InputKind = 'program' | 'universal' | 'object' | 'archive';

export interface RecordGroup {
  /** The layout its records parse with (null: bytes no known layout explains). */
  raw_version: number | null;
  records: number;
  functions: string[];
  sources: string[];
  producers: string[];
  /** "clang 14", "rustc 1.95.0": from the producers. */
  compilers: string[];
  /** Records whose NameRef names no function of __llvm_prf_names. */
  unnamed_records: number;
  /** Where they are: the image (and archive member) they came from. */
  images: string[];
  /** Not the raw version of the reference (the runtime's). */
  foreign: boolean;
}

export interface ImageReport {
  label: string;
  path: string;
  member: string | null;
  arch: string;
  format: string;
  kind: string;
  result: InspectResult;
  runtime_raw_version: number | null;
  runtime_version_source: string | null;
  raw_version_symbol: number | null;
  raw_version_symbol_value: string | null;
  raw_version_symbol_section: string | null;
  data_bytes: number | null;
  names: { count: number; compressed: boolean } | null;
  debug_info: string;
  groups: RecordGroup[];
  problems: string[];
}

export interface InputReport {
  path: string;
  kind: InputKind;
  result: InspectResult;
  /** Why the file could not be read (result unknown), or null. */
  error: string | null;
  images: ImageReport[];
  skipped_members: string[];
}

export interface InspectReport {
  result: InspectResult;
  runtime_raw_version: number | null;
  raw_version_symbol: number | null;
  /** The version the others are measured against: the runtime's, else the variable's, else the newest seen. */
  reference_raw_version: number | null;
  groups: RecordGroup[];
  verdict: string;
  fix: string | null;
  inputs: InputReport[];
}

const SEVERITY: Record<InspectResult, number> = { 'not-instrumented': 0, consistent: 1, unknown: 2, mixed: 3 };

export function worst(results: InspectResult[]): InspectResult {
  return results.reduce<InspectResult>((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), 'not-instrumented');
}

export function imageLabel(facts: Pick<ImageFacts, 'path' | 'member' | 'arch'>, universal: boolean): string {
  const member = facts.member === null ? '' : `(${facts.member})`;
  return `${facts.path}${member}${universal ? ` [${facts.arch}]` : ''}`;
}

/** Rust names its compile units "lib.rs/@/crate.hash-cgu.0": the source is the part before "/@/". */
export function sourceName(unit: CompileUnit): string | null {
  if (unit.name === null) return null;
  const at = unit.name.indexOf('/@/');
  return at > 0 ? unit.name.slice(0, at) : unit.name;
}

interface Located {
  version: number | null;
  name: string | null;
  units: CompileUnit[];
  source: string | null;
}

function unitIndex(units: CompileUnit[]): Map<string, CompileUnit[]> {
  const index = new Map<string, CompileUnit[]>();
  for (const unit of units) {
    for (const fn of unit.functions) {
      const list = index.get(fn);
      if (list === undefined) index.set(fn, [unit]);
      else if (!list.includes(unit)) list.push(unit);
    }
  }
  return index;
}

function locate(
  facts: ImageFacts,
  index: Map<string, CompileUnit[]>,
  debugMap: Map<string, string>,
  record: ProfRecord,
  run: { version: RawVersion | null; candidates: RawVersion[] },
): Located {
  const name = facts.names?.byRef.get(record.nameRef) ?? null;
  let units: CompileUnit[] = [];
  let source: string | null = null;
  if (name !== null) {
    const { fn, file } = splitPgoName(name);
    units = index.get(name) ?? index.get(fn) ?? [];
    if (file !== null && units.length > 1) {
      const matching = units.filter((u) => u.name !== null && (u.name.endsWith(file) || file.endsWith(u.name)));
      if (matching.length > 0) units = matching;
    }
    source = debugMap.get(name) ?? debugMap.get(fn) ?? file;
  }
  let version: number | null = run.version;
  if (run.candidates.length > 1) {
    // 9 and 10 records have one size: the compiler named in the debug info settles it.
    const implied = [
      ...new Set(units.map((u) => (u.producer === null ? null : (compilerOf(u.producer)?.rawVersion ?? null)))),
    ];
    if (implied.length === 1 && implied[0] !== null && run.candidates.includes(implied[0])) version = implied[0];
  }
  return { version, name, units, source };
}

function groupImage(facts: ImageFacts, label: string): RecordGroup[] {
  const index = unitIndex(facts.units);
  const debugMap = new Map<string, string>();
  for (const entry of facts.debugMap) for (const fn of entry.functions) debugMap.set(fn, entry.source);
  const groups = new Map<
    string,
    { group: RecordGroup; functions: Set<string>; sources: Set<string>; producers: Set<string> }
  >();
  const slot = (version: number | null) => {
    const key = String(version);
    let g = groups.get(key);
    if (g === undefined) {
      g = { group: emptyGroup(version, label), functions: new Set(), sources: new Set(), producers: new Set() };
      groups.set(key, g);
    }
    return g;
  };
  for (const run of facts.runs) {
    if (run.version === null) {
      slot(null); // bytes no known layout explains: a group of its own, with no records
      continue;
    }
    for (const record of run.records) {
      const where = locate(facts, index, debugMap, record, run);
      const g = slot(where.version);
      g.group.records++;
      if (where.name === null) g.group.unnamed_records++;
      else g.functions.add(where.name);
      for (const unit of where.units) {
        const source = sourceName(unit);
        if (source !== null) g.sources.add(source);
        if (unit.producer !== null) g.producers.add(unit.producer);
      }
      if (where.units.length === 0 && where.source !== null) g.sources.add(where.source);
    }
  }
  return [...groups.values()].map(({ group, functions, sources, producers }) =>
    finishGroup(group, functions, sources, producers),
  );
}

function emptyGroup(version: number | null, label: string): RecordGroup {
  return {
    raw_version: version,
    records: 0,
    functions: [],
    sources: [],
    producers: [],
    compilers: [],
    unnamed_records: 0,
    images: [label],
    foreign: false,
  };
}

function finishGroup(
  group: RecordGroup,
  functions: Set<string>,
  sources: Set<string>,
  producers: Set<string>,
): RecordGroup {
  const compilers = [...producers].map((p) => compilerOf(p)?.label ?? p);
  return {
    ...group,
    functions: [...functions],
    sources: [...sources].sort(),
    producers: [...producers].sort(),
    compilers: [...new Set(compilers)].sort(),
  };
}

/** Groups of several images merged by raw version. */
export function mergeGroups(lists: RecordGroup[][]): RecordGroup[] {
  const merged = new Map<string, RecordGroup>();
  for (const group of lists.flat()) {
    const key = String(group.raw_version);
    const into = merged.get(key);
    if (into === undefined) {
      merged.set(key, {
        ...group,
        functions: [...group.functions],
        sources: [...group.sources],
        producers: [...group.producers],
        compilers: [...group.compilers],
        images: [...group.images],
      });
      continue;
    }
    into.records += group.records;
    into.unnamed_records += group.unnamed_records;
    for (const field of ['functions', 'sources', 'producers', 'compilers', 'images'] as const) {
      for (const item of group[field]) if (!into[field].includes(item)) into[field].push(item);
    }
  }
  return [...merged.values()].sort((a, b) => (b.raw_version ?? -1) - (a.raw_version ?? -1));
}

export function analyseImage(facts: ImageFacts, universal: boolean): ImageReport {
  const label = imageLabel(facts, universal);
  const groups = groupImage(facts, label);
  const symbol = facts.rawVersionSymbol;
  const report: ImageReport = {
    label,
    path: facts.path,
    member: facts.member,
    arch: facts.arch,
    format: facts.format,
    kind: facts.kind,
    result: 'not-instrumented',
    runtime_raw_version: facts.runtime?.version ?? null,
    runtime_version_source: facts.runtime?.source ?? null,
    raw_version_symbol: rawVersionOf(symbol),
    raw_version_symbol_value: symbol === null ? null : `0x${symbol.value.toString(16)}`,
    raw_version_symbol_section: symbol?.section ?? null,
    data_bytes: facts.dataSize,
    names: facts.names === null ? null : { count: facts.names.names.length, compressed: facts.names.compressed },
    debug_info: facts.debugInfo,
    groups,
    problems: [...facts.problems],
  };
  return { ...report, result: resultOf(report) };
}

/** The versions the image says it holds: its records', its runtime's and its variable's. */
function versionsOf(image: Pick<ImageReport, 'groups' | 'runtime_raw_version' | 'raw_version_symbol'>): Set<number> {
  const versions = new Set<number>();
  for (const g of image.groups) if (g.raw_version !== null && g.records > 0) versions.add(g.raw_version);
  if (image.runtime_raw_version !== null) versions.add(image.runtime_raw_version);
  if (image.raw_version_symbol !== null) versions.add(image.raw_version_symbol);
  return versions;
}

function resultOf(image: ImageReport): InspectResult {
  if (image.data_bytes === null && image.raw_version_symbol === null) return 'not-instrumented';
  if (versionsOf(image).size > 1) return 'mixed';
  if (image.groups.some((g) => g.raw_version === null)) return 'unknown';
  if (image.data_bytes !== null && image.data_bytes > 0 && image.groups.length === 0) return 'unknown';
  return 'consistent';
}

/** One file: a program's (or universal binary's) images are judged apart; objects and archive members together, as a link would put them. */
export function analyseInput(path: string, kind: InputKind, images: ImageReport[], skipped: string[]): InputReport {
  let result: InspectResult;
  if (kind === 'archive' || kind === 'object') {
    const together = {
      groups: mergeGroups(images.map((i) => i.groups)),
      runtime_raw_version: firstOf(images.map((i) => i.runtime_raw_version)),
      raw_version_symbol: null,
    };
    const symbols = new Set(images.map((i) => i.raw_version_symbol).filter((v): v is number => v !== null));
    const versions = versionsOf(together);
    for (const v of symbols) versions.add(v);
    const each = worst(images.map((i) => i.result));
    result = versions.size > 1 ? 'mixed' : each;
  } else {
    result = worst(images.map((i) => i.result));
  }
  return { path, kind, result, error: null, images, skipped_members: skipped };
}

export function unreadableInput(path: string, error: string): InputReport {
  return { path, kind: 'program', result: 'unknown', error, images: [], skipped_members: [] };
}

function firstOf(values: Array<number | null>): number | null {
  return values.find((v) => v !== null) ?? null;
}

export function analyse(inputs: InputReport[]): InspectReport {
  const images = inputs.flatMap((i) => i.images);
  const linked = images.filter((i) => i.kind !== 'relocatable');
  const runtime = firstOf(images.map((i) => i.runtime_raw_version));
  const symbol = firstOf(linked.map((i) => i.raw_version_symbol)) ?? firstOf(images.map((i) => i.raw_version_symbol));
  const groups = mergeGroups(images.map((i) => i.groups));
  const seen = groups.map((g) => g.raw_version).filter((v): v is number => v !== null && v > 0);
  const reference =
    runtime ?? firstOf(linked.map((i) => i.raw_version_symbol)) ?? (seen.length > 0 ? Math.max(...seen) : symbol);
  for (const g of groups) g.foreign = reference !== null && g.raw_version !== reference;
  // Objects and archives given together are one link's inputs: their versions must agree too.
  const objectVersions = new Set(images.filter((i) => i.kind === 'relocatable').flatMap((i) => [...versionsOf(i)]));
  const result = objectVersions.size > 1 ? 'mixed' : worst(inputs.map((i) => i.result));
  const { verdict, fix } = sentences(result, reference, runtime, groups, inputs);
  return {
    result,
    runtime_raw_version: runtime,
    raw_version_symbol: symbol,
    reference_raw_version: reference,
    groups,
    verdict,
    fix,
    inputs,
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function list(items: string[], max = 8): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function sentences(
  result: InspectResult,
  reference: number | null,
  runtime: number | null,
  groups: RecordGroup[],
  inputs: InputReport[],
): { verdict: string; fix: string | null } {
  if (result === 'not-instrumented')
    return {
      verdict:
        'not instrumented: no __llvm_prf_data and no __llvm_profile_raw_version, so there is no profile data to mix',
      fix: null,
    };
  if (result === 'consistent') {
    const v = reference === null ? 'one raw version' : `raw version ${reference}`;
    return {
      verdict: `consistent: every profile record has the ${v} layout${runtime === null ? '' : ', the raw version the profile runtime writes'}`,
      fix: null,
    };
  }
  if (result === 'unknown') {
    const unreadable = inputs.filter((i) => i.error !== null).map((i) => `${i.path}: ${i.error}`);
    const unexplained = groups.some((g) => g.raw_version === null);
    const why =
      unreadable.length > 0
        ? `could not read ${unreadable.join('; ')}`
        : unexplained
          ? 'some __llvm_prf_data bytes fit no known record layout (raw versions 8, 9, 10): instrumentation older than LLVM 14 or newer than this tool'
          : 'the profile data could not be judged';
    return { verdict: `unknown: ${why}`, fix: null };
  }
  const against =
    runtime !== null
      ? `the profile runtime writes raw version ${runtime}`
      : `the rest is raw version ${reference} (no profile runtime in these files: the newest version is taken as the runtime's)`;
  const parts: string[] = [];
  for (const g of groups.filter((x) => x.foreign && x.records > 0)) {
    const by = g.compilers.length > 0 ? `built by ${list(g.compilers)}` : 'built by another LLVM';
    const what =
      g.sources.length > 0
        ? `${g.sources.length === 1 ? 'this source was' : `these ${g.sources.length} sources were`} ${by} (raw version ${g.raw_version}): ${list(g.sources)}`
        : `${plural(g.records, 'record')} (${list(g.functions) || 'unnamed functions'}) ${g.records === 1 ? 'was' : 'were'} ${by} (raw version ${g.raw_version})`;
    parts.push(what);
  }
  const notes: string[] = [];
  const symbolNotes = inputs
    .flatMap((i) => i.images)
    .filter(
      (i) =>
        i.kind !== 'relocatable' &&
        i.runtime_raw_version !== null &&
        i.raw_version_symbol !== null &&
        i.raw_version_symbol !== i.runtime_raw_version,
    );
  for (const image of symbolNotes) {
    notes.push(
      `in ${image.label} __llvm_profile_raw_version is ${image.raw_version_symbol} (${image.raw_version_symbol_value}): the copy from an object of another LLVM won symbol resolution, so at exit the runtime prints "LLVM Profile Error: Runtime and instrumentation version mismatch" and writes an empty profile`,
    );
  }
  const verdict = `mixed: ${parts.length > 0 ? `${parts.join('; ')}, but ${against}` : against}${notes.map((n) => `; ${n}`).join('')}`;
  const target =
    reference === 8 || reference === 9 || reference === 10
      ? compilersWriting(reference)
      : 'the LLVM of the profile runtime';
  const fix = `add -fno-profile-generate to their CFLAGS (in a Rust build: CFLAGS_<target> for the C code that build scripts compile with cc-rs), or build them with the same LLVM as the rest: ${target}`;
  return { verdict, fix };
}
