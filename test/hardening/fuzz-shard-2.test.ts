// Seeded fuzz, shard 2 of 2: see fuzz-cases.ts.
import { fuzzShard } from './fuzz-cases.js';

fuzzShard(1, 2);
