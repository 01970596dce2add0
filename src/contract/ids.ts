/** The schema ids of everything debug-exit writes or reads across a process or file boundary. */
export const EVENT_SCHEMA = 'debug-exit/event@1';
export const SPEC_SCHEMA = 'debug-exit/spec@1';
export const REPORT_SCHEMA = 'debug-exit/report@1';
export const REPEAT_SCHEMA = 'debug-exit/repeat@1';
export const RECORDING_SCHEMA = 'debug-exit/recording@1';
