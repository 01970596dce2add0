/**
 * After a capture, what the program left in its profile folder (I/O at the edge; the verdict in
 * timeline/verdict-profile-output.ts is pure): every `.profraw` with its size, header magic and
 * raw version, llvm-profdata's judgement of it, and the profile runtime's own error lines from the
 * program's stdout/stderr (untrusted text, quoted cleaned and bounded).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkWithLlvmProfdata } from './llvm-profdata';
import { HEADER_BYTES, parseProfrawHeader, runtimeMessages, type ProfrawMagic } from './profraw';

const MAX_FILES = 64;
const MAX_OUTPUT_READ = 2 << 20;

export interface ProfileFileFacts {
  path: string;
  size: number;
  /** null for an empty file. */
  magic: ProfrawMagic | null;
  rawVersion: number | null;
  /** llvm-profdata's judgement; null when no tool was found or there was nothing to check. */
  accepted: boolean | null;
  toolMessage: string | null;
}

export interface ProfileOutputCheck {
  /** The folder LLVM_PROFILE_FILE points into. */
  folder: string;
  /** The files stay after the capture (--profile-dir); otherwise the capture's temp folder goes. */
  kept: boolean;
  files: ProfileFileFacts[];
  runtimeMessages: string[];
  /** Where the messages came from; null when the program's output went to the terminal. */
  messagesFrom: 'program-output-files' | null;
  llvmProfdata: string | null;
  /** Set when nothing could be looked at (LLVM_PROFILE_FILE set by --env, for one). */
  notChecked: string | null;
}

export interface InspectRequest {
  folder: string;
  kept: boolean;
  outputFiles: ReadonlyArray<string | null>;
  llvmProfdata: string | null;
}

export function inspectProfileFolder(request: InspectRequest): ProfileOutputCheck {
  const names = listProfraw(request.folder);
  const files = names.slice(0, MAX_FILES).map((name) => factsOf(path.join(request.folder, name), request.llvmProfdata));
  const outputs = request.outputFiles.filter((f): f is string => f !== null);
  return {
    folder: request.folder,
    kept: request.kept,
    files,
    runtimeMessages: runtimeMessages(outputs.map(readBounded)),
    messagesFrom: outputs.length > 0 ? 'program-output-files' : null,
    llvmProfdata: request.llvmProfdata,
    notChecked: null,
  };
}

export function notCheckedProfiles(folder: string, reason: string): ProfileOutputCheck {
  return {
    folder,
    kept: false,
    files: [],
    runtimeMessages: [],
    messagesFrom: null,
    llvmProfdata: null,
    notChecked: reason,
  };
}

function listProfraw(folder: string): string[] {
  try {
    return fs
      .readdirSync(folder)
      .filter((name) => name.endsWith('.profraw'))
      .sort();
  } catch {
    return [];
  }
}

function factsOf(file: string, tool: string | null): ProfileFileFacts {
  const stat = fs.lstatSync(file);
  const size = stat.isFile() ? stat.size : 0;
  const facts: ProfileFileFacts = {
    path: file,
    size,
    magic: null,
    rawVersion: null,
    accepted: null,
    toolMessage: null,
  };
  if (!stat.isFile() || size === 0) return facts;
  const header = parseProfrawHeader(readHead(file, HEADER_BYTES));
  facts.magic = header.magic;
  facts.rawVersion = header.rawVersion;
  if (tool !== null) {
    const judgement = checkWithLlvmProfdata(tool, file);
    facts.accepted = judgement.accepted;
    facts.toolMessage = judgement.message;
  }
  return facts;
}

function readHead(file: string, bytes: number): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = fs.readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

/** The program's output files can be huge (the hostile fixtures print 200 MB): its head and tail are read. */
function readBounded(file: string): string {
  try {
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    try {
      const part = (offset: number, length: number): string => {
        const buffer = Buffer.alloc(length);
        const read = fs.readSync(fd, buffer, 0, length, offset);
        return buffer.subarray(0, read).toString('utf8');
      };
      if (size <= 2 * MAX_OUTPUT_READ) return part(0, size);
      return `${part(0, MAX_OUTPUT_READ)}\n${part(size - MAX_OUTPUT_READ, MAX_OUTPUT_READ)}`;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}
