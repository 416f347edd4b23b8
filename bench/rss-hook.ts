/**
 * Preloaded (`node --import`) into a measured Node child: at exit it writes the process's peak
 * resident set size (`process.resourceUsage().maxRSS`, KiB) to the file named by
 * `SCHEMAPLAN_BENCH_RSS_FILE`, then removes the variable so its own children do not overwrite it.
 */
import fs from 'node:fs';

const file = process.env.SCHEMAPLAN_BENCH_RSS_FILE;
delete process.env.SCHEMAPLAN_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      fs.writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch { /* the measurement is then missing, the run is not affected */ }
  });
}
