/**
 * Preloaded by the benchmark (`node --require dist/bench/rss-probe.js`): at exit, writes the
 * process's own peak RSS in KiB (getrusage RUSAGE_SELF: LLDB and the program are not in it) to
 * $DX_BENCH_RSS_FILE. No part of debug-exit itself.
 */
import * as fs from 'node:fs';

const file = process.env.DX_BENCH_RSS_FILE;
if (file) process.on('exit', () => fs.writeFileSync(file, String(process.resourceUsage().maxRSS)));
