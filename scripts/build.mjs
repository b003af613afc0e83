// Bundles the Lambda function (and the operator CLI) into minified CommonJS, plus the dev tools.
// The function build is the one template.yaml's esbuild Metadata asks `sam build` for (test/integration/package.test.ts
// runs esbuild with the arguments SAM CLI derives from that Metadata and compares the bytes): src/handler.ts and
// src/organizations.ts into one directory (handler.js, organizations.js). Its source maps are external: written
// beside the bundle without the sources and without a sourceMappingURL comment, so the code is byte for byte what
// `sam build` makes without Sourcemap, and nothing parses a map on a cold start. `npm run package` ships the
// maps next to the zip, not in it, for reading stack traces offline.
import { build } from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';

const lambdaOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  // The SDK ships ES modules under "module": tree-shaking them makes the bundle much smaller than "main" (CJS).
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
};

const only = process.argv[2];
const builds = {
  handler: () =>
    build({ ...lambdaOptions, sourcemap: 'external', sourcesContent: false, entryPoints: ['src/handler.ts', 'src/organizations.ts'], outdir: 'dist' }),
  // The operator's CLI runs on the operator's machine: a linked map, still without the sources.
  // The shebang alone is not enough: package.json's bin and ./dist/cli.js need the execute bit too.
  cli: async () => {
    await build({ ...lambdaOptions, sourcemap: true, sourcesContent: false, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } });
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
      entryPoints: ['scripts/demo.ts', 'scripts/invoke.ts', 'scripts/local-estate.ts', 'scripts/package.ts', 'bench/bench.ts', 'bench/memory.ts', 'devtools/lambda-worker.ts', 'devtools/runtime-invoke.ts'].filter((f) => existsSync(f)),
      outdir: 'dist/tools',
      outbase: '.',
    }),
};

const selected = only ? [only] : Object.keys(builds).filter((name) => name !== 'cli' || existsSync('src/cli/main.ts'));
await Promise.all(selected.map((name) => builds[name]()));
