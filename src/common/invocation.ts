// How the user started this tool, so that a hint ("try: vmreplay query ...")
// works when typed as printed: `npx vmreplay` when npm ran it (npx or
// `npm exec`, which set npm_lifecycle_event=npx and the command in
// npm_lifecycle_script; an npm script or a project's node_modules/.bin, where
// the bin is not on the user's own PATH), else `vmreplay`.

/** `npx vmreplay` or `vmreplay`: the words that start the tool the way it was started now. */
export function invocation(env: NodeJS.ProcessEnv = process.env, script: string = process.argv[1] ?? ''): string {
  const viaNpx = env['npm_lifecycle_event'] === 'npx' && /^'?vmreplay'?(\s|$)/.test(env['npm_lifecycle_script'] ?? '');
  const fromNpmBin = /[\\/](_npx|node_modules[\\/]\.bin)[\\/]/.test(script);
  return viaNpx || fromNpmBin ? 'npx vmreplay' : 'vmreplay';
}

/** A command line to suggest, `vmreplay ...` spelled as `invocation()` says. */
export const commandLine = (rest: string): string => `${invocation()} ${rest}`;
