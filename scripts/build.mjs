// Bundles the Lambda handler (and the operator CLI) into one minified CommonJS file each, plus the dev tools.
// The handler build matches template.yaml's esbuild settings: src/handler.ts and src/organizations.ts into one
// directory (handler.js, organizations.js), source maps without the sources (read offline, never on a cold start).
import { build } from 'esbuild';

const lambdaOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // The SDK ships ES modules under "module": tree-shaking them makes the bundle much smaller than "main" (CJS).
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
};

const only = process.argv[2];
const builds = {
  handler: () => build({ ...lambdaOptions, entryPoints: ['src/handler.ts', 'src/organizations.ts'], outdir: 'dist' }),
  // The shebang alone is not enough: package.json's bin and ./dist/cli.js need the execute bit too.
  cli: async () => {
    await build({ ...lambdaOptions, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } });
    chmodSync('dist/cli.js', 0o755);
  },
  tools: () =>
    build({
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: true,
      packages: 'external',
      logLevel: 'warning',
      entryPoints: ['scripts/demo.ts', 'scripts/invoke.ts', 'scripts/local-estate.ts', 'bench/bench.ts', 'bench/memory.ts', 'devtools/lambda-worker.ts', 'devtools/runtime-invoke.ts'].filter((f) => existsSync(f)),
      outdir: 'dist/tools',
      outbase: '.',
    }),
};
import { chmodSync, existsSync } from 'node:fs';

const selected = only ? [only] : Object.keys(builds).filter((name) => name !== 'cli' || existsSync('src/cli/main.ts'));
await Promise.all(selected.map((name) => builds[name]()));
