/**
 * What `sam build` makes of an esbuild function, read from the sources of SAM CLI (1.164.0) and aws-lambda-builders
 * (the nodejs_npm_esbuild workflow), so tests and the bench can compare it with `npm run package` without SAM CLI.
 * A real `sam build` remains the final word: `sam build && cmp .aws-sam/build/EnrollmentFunction/handler.js dist/handler.js`.
 */

type BuildProperties = Record<string, unknown>;

/**
 * The esbuild command line of aws-lambda-builders' EsbuildCommandBuilder for a function's BuildProperties:
 * SAM CLI turns PascalCase keys into snake_case (samcli/lib/samlib/resource_metadata_normalizer.py,
 * normalize_build_properties); the builder puts the entry points first, then --bundle --platform=node --outdir and
 * defaults for target, format and minify when absent, then every other key in kebab case: true as a flag, false
 * dropped, a string as --key=value, a list as --key:item each (aws_lambda_builders/workflows/nodejs_npm_esbuild/esbuild.py).
 */
export function samEsbuildArgs(buildProperties: BuildProperties, outdir: string): string[] {
  const config = Object.fromEntries(Object.entries(buildProperties).map(([key, value]) => [key.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase(), value]));
  const entryPoints = config.entry_points;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) throw new Error('entry_points not set: aws-lambda-builders refuses the build');
  const args = [...entryPoints.map(String), '--bundle', '--platform=node', `--outdir=${outdir}`];
  if (!('target' in config)) args.push('--target=es2020');
  if (!('format' in config)) args.push('--format=cjs');
  if (!('minify' in config)) args.push('--minify');
  for (const [key, value] of Object.entries(config)) {
    if (['bundle', 'platform', 'outdir', 'use_npm_ci', 'entry_points'].includes(key)) continue;
    const flag = `--${key.replace(/_/g, '-')}`;
    if (typeof value === 'boolean') {
      if (value) args.push(flag);
    } else if (typeof value === 'string') {
      args.push(`${flag}=${value}`);
    } else if (Array.isArray(value)) {
      args.push(...value.map((item) => `${flag}:${String(item)}`));
    } else {
      throw new Error(`aws-lambda-builders cannot pass ${key}=${JSON.stringify(value)} to esbuild`);
    }
  }
  return args;
}

/**
 * NODE_OPTIONS of the function in the template `sam build` writes: SAM CLI appends --enable-source-maps whenever
 * BuildProperties.Sourcemap is truthy and NODE_OPTIONS does not already hold it
 * (samcli/lib/build/bundler.py, EsbuildBundlerManager._set_sourcemap_env_from_metadata).
 */
export function samNodeOptions(buildProperties: BuildProperties | undefined, nodeOptions: string | undefined): string | undefined {
  const sourcemap = buildProperties?.Sourcemap;
  const enabled = (nodeOptions ?? '').split(/\s+/).includes('--enable-source-maps');
  if (sourcemap && !enabled) return [nodeOptions ?? '', '--enable-source-maps'].join(' ');
  return nodeOptions;
}
