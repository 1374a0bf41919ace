'use strict';
/**
 * Preloaded (`node -r ./bench/report-usage.js ...`) into every process the bench measures: at exit it
 * writes the process's own peak RSS and CPU time to the file named by VIGIL_BENCH_REPORT. The measured
 * program runs unchanged (e.g. `bin/vigil.js run ...` exactly as a user runs it).
 */
const fs = require('fs');

const target = process.env.VIGIL_BENCH_REPORT;
delete process.env.VIGIL_BENCH_REPORT; // not for grandchildren
if (target) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeFileSync(
      target,
      JSON.stringify({
        max_rss_bytes: u.maxRSS * 1024, // Node reports kilobytes
        user_cpu_s: u.userCPUTime / 1e6,
        system_cpu_s: u.systemCPUTime / 1e6,
        extra: globalThis.__vigilBench ?? null,
      }),
    );
  });
}
