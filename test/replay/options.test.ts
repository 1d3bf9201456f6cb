// A replay's options are resolved once (replay/options.ts): what the command
// line, the library's replay() and a script ask for gets the same defaults,
// and the tally's counts reach the run's figures as they are.

import t from 'tap';
import { UsageError } from '../../src/common/errors.js';
import { modelsByName } from '../../src/models/index.js';
import { newModel, newFixedModel } from '../../src/models/new.js';
import { oldModel } from '../../src/models/old.js';
import { DEFAULT_REPLAY_OPTIONS, resolveReplayOptions } from '../../src/replay/options.js';
import { replayTraces } from '../../src/replay/run.js';
import { MemoryOutput } from './memory-output.js';
import { fixture } from '../helpers.js';

t.test('nothing asked for: every default, models left to the trace family', async (t) => {
  t.same(resolveReplayOptions({}), { models: undefined, knobs: { sharedFault: true }, holdScale: 1, siteHoldNs: 1000, maxFaultNs: 10e9 });
  t.same(DEFAULT_REPLAY_OPTIONS, { sharedFault: true, holdScale: 1, siteHoldNs: 1000, maxFaultNs: 10e9 });
});

t.test('what is asked for is kept; models by name or by value alike, checked', async (t) => {
  const r = resolveReplayOptions({ models: ['old', newModel], sharedFault: false, holdScale: 2, siteHoldNs: 5 });
  t.same(r.models, [oldModel, newModel]);
  t.same(r.knobs, { sharedFault: false });
  t.equal(r.holdScale, 2);
  t.equal(r.siteHoldNs, 5);
  t.same(resolveReplayOptions({ linuxVersion: 606 }).knobs, { sharedFault: true, linuxVersion: 606 }, 'a Linux version is a knob');
  t.same(resolveReplayOptions({ models: ['old', 'new-fixed'] }).models, modelsByName(['old', 'new-fixed']));
  t.throws(() => resolveReplayOptions({ models: [] }), UsageError, 'an empty list is no model');
  t.throws(() => resolveReplayOptions({ models: ['old', 'bogus'] }), UsageError, 'an unknown name');
  t.throws(() => resolveReplayOptions({ models: [oldModel, oldModel] }), UsageError, 'a model twice');
});

t.test("the run's figures per model are the tally's counts, with its maps as records", async (t) => {
  const run = await replayTraces([fixture('basic.ktr')], resolveReplayOptions({ models: [oldModel, newModel, newFixedModel] }), new MemoryOutput());
  const byModel = Object.fromEntries(run.models.map((m) => [m.model, m]));
  t.match(byModel.old, { family: 'dragonfly', xTokens: 31, sTokens: 12, xChain: 14, backdownTotal: 0, hazards: 0 });
  t.match(byModel.new, { xTokens: 13, sTokens: 18, xChain: 2, backdownTotal: 2, restarts: 1, hazards: 1 });
  t.equal(
    Object.values(byModel.new!.backdowns).reduce((a, b) => a + b, 0),
    byModel.new!.backdownTotal,
    'back-downs by rule add up',
  );
  t.equal(
    Object.values(byModel.old!.xTokensBySite).reduce((a, b) => a + b, 0),
    byModel.old!.xTokens,
    'X tokens by site add up',
  );
});
