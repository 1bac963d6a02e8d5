// A file-backed reference Measure Consumer in its own process, so a test can SIGKILL it: started
// with the SQLite path (then any fault modes) as arguments, it prints `{"url": ...}` once it listens.
import { startMeasureConsumer } from '../../simulators/measure-consumer/index.js';

const [storePath, ...faults] = process.argv.slice(2);
if (!storePath) {
  process.stderr.write('usage: durability-child.ts STORE_PATH [FAULT...]\n');
  process.exit(2);
}
const server = await startMeasureConsumer({ storePath, faults });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
