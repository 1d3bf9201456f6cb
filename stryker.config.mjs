// Mutation testing of the locking models and the lock log: `npm run mutate`.
// Too slow for CI; run it by hand after changing a model and quote the score.
// The report lands in reports/mutation/ (html and json).

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  plugins: ['@stryker-mutator/tap-runner'],
  testRunner: 'tap',
  tap: {
    // The model tests and the lock log's alone: they are the ones that cover
    // these files, and each mutant reruns only the test files that reach it.
    // Not the registry test: it replays through the command line and writes a
    // report, so it reaches every line here and would rerun for each mutant,
    // while it checks the registry, not the rules. Nor the docs test, which
    // reads docs/models.md, not the rules.
    testFiles: ['test/models/!(registry|docs).test.ts', 'test/replay/lock-log.test.ts'],
    nodeArgs: ['--import', 'tsx'],
  },
  mutate: ['src/models/**/*.ts', 'src/replay/lock-log.ts'],
  ignorePatterns: ['dist', 'traces', 'bench', 'notebooks', 'reports', '.tap', 'coverage', 'vmreplay-out'],
  coverageAnalysis: 'perTest',
  concurrency: 1,
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
