// Seeded fuzz of every bundled simulator (test/hardening/fuzz-run.ts): requests tried, crashes and
// 5xx answers per simulator, and the request rate, which the machine's load moves a lot.
import { simulators } from '../simulators/index.js';
import { fuzzSimulator } from '../test/hardening/fuzz-run.js';

const SEED = 0x5eed_0008;
const REQUESTS = Number(process.env['FUZZ_REQUESTS'] ?? 10_000);

let failed = false;
for (const simulator of simulators) {
  const started = performance.now();
  const report = await fuzzSimulator(simulator, { seed: SEED, count: REQUESTS, largeBodies: 4 });
  const seconds = (performance.now() - started) / 1000;
  const rate = Math.round(report.tried / seconds);
  console.log(
    `${simulator.id.padEnd(24)} requests tried ${report.tried}  crashes ${report.crashes}  5xx answers ${report.serverErrors}  ` +
      `other problems ${report.problems - report.crashes - report.serverErrors}  accepted ${report.accepted}  (${rate} requests/s)`,
  );
  for (const f of report.findings) console.log(`  ${f.problem}: ${f.request}`);
  if (report.problems) failed = true;
}
process.exit(failed ? 1 : 0);
