/** The exit codes of `debug-exit capture` (README, "Exit codes"); usage errors exit 2. */
export const EXIT_OK = 0;
export const EXIT_TOOL_ERROR = 1;
export const EXIT_VERDICT_MISMATCH = 3;
