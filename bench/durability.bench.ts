// Durability under SIGKILL: a file-backed reference Measure Consumer in its own process takes 1,000
// concurrent pushes (100 connections), is killed once 300 are acknowledged, and is restarted on the
// same SQLite file; every acknowledged report must read back as sent. Prints the counts of
// test/hardening/durability.test.ts, which asserts them.
import { pushKillRestart } from '../test/hardening/durability-harness.js';

const started = performance.now();
const o = await pushKillRestart({ pushes: 1000, killAfterAcks: 300, connections: 100 });
const seconds = (performance.now() - started) / 1000;
console.log(`push, SIGKILL after 300 acknowledgements, restart on the same file (${seconds.toFixed(1)} s with both process starts)`);
console.log(`  requests tried ${o.tried}   acknowledged (2xx) ${o.acknowledged}   unanswered (killed in flight or queued) ${o.unanswered}`);
console.log(`  crashes ${o.crashes}   5xx answers ${o.serverErrors}   other refusals ${o.refused}`);
console.log(`  reports lost after restart ${o.lost.length}   unacknowledged but kept ${o.unacknowledgedKept}   push after restart ${o.statusAfterRestart}`);
if (o.lost.length > 0 || o.crashes > 0 || o.serverErrors > 0) process.exitCode = 1;
