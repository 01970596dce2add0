/** Preloaded (node --require) into a benchmarked child: reports its peak RSS on stderr at exit. */
import * as fs from 'node:fs';

process.on('exit', () => {
  fs.writeSync(2, `\nDX_MAX_RSS_KB=${process.resourceUsage().maxRSS}\n`);
});
