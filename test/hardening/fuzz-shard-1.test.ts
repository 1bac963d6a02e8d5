// Seeded fuzz, shard 1 of 2: see fuzz-cases.ts.
import { fuzzShard } from './fuzz-cases.js';

fuzzShard(0, 2);
