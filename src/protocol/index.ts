/**
 * The framing layer (docs/ARCHITECTURE.md, "Layers" and "The event channel"): LLDB's pty output
 * in, tokens out. Pure, no I/O.
 */
export { stripAnsi } from './ansi';
export {
  APC_INTRODUCER,
  ESC,
  FRAME_KIND,
  STRING_TERMINATOR,
  decodeFrameBody,
  encodeFrame,
  framePrefix,
} from './apc-frames';
export type { FrameDecoding } from './apc-frames';
export { checkEventShape } from './event-shape';
export { DEFAULT_MAX_FRAME_BYTES, OutputScanner } from './output-scanner';
export type { OutputScannerOptions } from './output-scanner';
export { PromptMatcher } from './prompt-matcher';
export { normalizeTokens } from './tokens';
export type { Token } from './tokens';
