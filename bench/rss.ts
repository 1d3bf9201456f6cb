// Replays one trace under every model (tables discarded) and prints the
// process's peak RSS: run in a fresh process per trace by bench.ts.

import { MODELS } from '../src/models/index.js';
import { replayTraces } from '../src/replay/run.js';

const path = process.argv[2]!;
await replayTraces([path], { models: MODELS, knobs: { sharedFault: true } }, { write() {}, async flush() {} });
console.log(`${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
