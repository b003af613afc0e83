/**
 * Section 1: cold start of the code as deployed. `npm run bench` packages first; this section takes handler.js out
 * of dist/package/function.zip (the release artifact, byte for byte what `sam build` makes too) and loads it with
 * the NODE_OPTIONS the deploy path gives the function: the packaged template's, which must equal what SAM CLI would
 * set from template.yaml's Metadata (devtools/sam-build.ts). It reports the bundle size and how long a fresh `node`
 * takes to load it, next to `node -e 0` and next to a reference bundle (the S3, KMS and DynamoDB clients and the
 * commands the function sends, nothing else) built in the same run with the handler's esbuild options. The
 * handler/reference ratio is taken per interleaved round and reported as its spread (p25, median, p75).
 */
import { buildSync } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { samNodeOptions } from '../devtools/sam-build';
import { serverlessFunctions } from '../scripts/packaged-template';
import { readZip } from '../scripts/zip';
import { bytes, heading, median, ms, percentile, printTable, Problems, ratio } from './report';

export const LOAD_RUNS = 21;
export const TARGET_RATIO = 1.15;

const REFERENCE_ENTRY = `// Written by bench/cold-start.ts: the least a Lambda editing both policies through a DynamoDB ledger has to load.
export { S3Client, GetBucketPolicyCommand, PutBucketPolicyCommand, DeleteBucketPolicyCommand, GetBucketLocationCommand } from '@aws-sdk/client-s3';
export { KMSClient, GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
export { DynamoDBClient, GetItemCommand, PutItemCommand, DeleteItemCommand, UpdateItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
`;

export interface BundleSize {
  path: string;
  bytes: number;
  gzipBytes: number;
}

export interface LoadTimes {
  label: string;
  command: string;
  runsMs: number[];
  medianMs: number;
  minMs: number;
  /** Median minus the `node -e 0` median. */
  netMs: number;
}

/** The handler/reference load-time ratio over the interleaved rounds. */
export interface RatioSpread {
  p25: number;
  median: number;
  p75: number;
  /** Where the target lies: below p25 (over), above p75 (within), or inside the spread (inconclusive). */
  reading: 'within' | 'over' | 'inconclusive';
}

export interface ColdStartResult {
  runs: number;
  /** The release artifact the handler was taken from, and the NODE_OPTIONS it runs with ('' for none). */
  deployed: { zip: string; zipBytes: number; nodeOptions: string };
  handler: BundleSize;
  reference: BundleSize;
  loads: LoadTimes[];
  ratioRaw: RatioSpread;
  ratioNet: RatioSpread;
  target: number;
}

function spreadOf(ratios: number[], target: number): RatioSpread {
  const p25 = percentile(ratios, 25);
  const p75 = percentile(ratios, 75);
  return { p25, median: median(ratios), p75, reading: p75 <= target ? 'within' : p25 > target ? 'over' : 'inconclusive' };
}

function sizeOf(path: string): BundleSize {
  const content = readFileSync(path);
  return { path, bytes: statSync(path).size, gzipBytes: gzipSync(content).length };
}

/** Builds the reference bundle under dist/bench/ (inside the project so node_modules resolve). */
export function buildReferenceBundle(root: string): string {
  const dir = join(root, 'dist', 'bench');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'reference-entry.mjs');
  const outfile = join(dir, 'reference.js');
  writeFileSync(entry, REFERENCE_ENTRY);
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    mainFields: ['module', 'main'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * The deployed handler: function.zip unpacked into dist/bench/deployed, and the NODE_OPTIONS its function gets. The
 * packaged template and `sam build` must agree on them; a difference is reported as a problem.
 */
function deployedHandler(root: string, problems: Problems): { handlerPath: string; zip: string; zipBytes: number; nodeOptions: string } {
  const zip = join(root, 'dist', 'package', 'function.zip');
  const packagedTemplate = join(root, 'dist', 'package', 'template.yaml');
  if (!existsSync(zip) || !existsSync(packagedTemplate)) throw new Error('dist/package has no function.zip or template.yaml; run npm run bench, which packages first');
  const archive = readFileSync(zip);
  const dir = join(root, 'dist', 'bench', 'deployed');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const entry of readZip(archive)) writeFileSync(join(dir, entry.name), entry.data);
  const packaged = serverlessFunctions(readFileSync(packagedTemplate, 'utf8'), 'dist/package/template.yaml');
  const source = serverlessFunctions(readFileSync(join(root, 'template.yaml'), 'utf8'), 'template.yaml');
  for (const fn of source) {
    const sam = samNodeOptions(fn.metadata.BuildProperties as Record<string, unknown> | undefined, fn.nodeOptions) ?? '';
    const shipped = packaged.find((p) => p.logicalId === fn.logicalId)?.nodeOptions ?? '';
    if (sam !== shipped) problems.add(`${fn.logicalId}: sam build would deploy NODE_OPTIONS='${sam}' but npm run package deploys '${shipped}'`);
  }
  const options = [...new Set(packaged.map((p) => p.nodeOptions ?? ''))];
  if (options.length > 1) problems.add(`the packaged functions run with different NODE_OPTIONS (${options.join(' | ')}); measured with the first`);
  return { handlerPath: join(dir, 'handler.js'), zip, zipBytes: archive.length, nodeOptions: options[0] ?? '' };
}

function timeNode(script: string, problems: Problems, label: string, nodeOptions: string): number {
  const start = process.hrtime.bigint();
  const env = { ...process.env, NODE_OPTIONS: nodeOptions };
  const result = spawnSync(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) problems.add(`loading ${label} failed (exit ${result.status}): ${(result.stderr ?? '').trim().slice(0, 500)}`);
  return elapsed;
}

export function measureColdStart(root: string, problems: Problems, runs = LOAD_RUNS): ColdStartResult {
  heading(`1. Cold start: bundle size and load time (${runs} fresh node processes each, interleaved)`);
  const deployed = deployedHandler(root, problems);
  const { handlerPath, nodeOptions } = deployed;
  console.log(`deployed code: handler.js from dist/package/function.zip (${bytes(deployed.zipBytes)} bytes); NODE_OPTIONS as deployed: ${nodeOptions === '' ? '(none)' : nodeOptions}\n`);
  const referencePath = buildReferenceBundle(root);
  const subjects = [
    { label: 'handler (function.zip, as deployed)', command: `require(${JSON.stringify(handlerPath)})` },
    { label: 'reference (S3+KMS+DynamoDB clients)', command: `require(${JSON.stringify(referencePath)})` },
    { label: 'empty (node -e 0)', command: '0' },
  ];
  // One untimed round first: fills the page cache so the first timed round is not an outlier.
  for (const s of subjects) timeNode(s.command, problems, s.label, nodeOptions);
  const times: number[][] = subjects.map(() => []);
  for (let round = 0; round < runs; round++) {
    // Rotate the start of each round too, so none of the three always runs right after the same neighbour.
    for (let k = 0; k < subjects.length; k++) {
      const i = (round + k) % subjects.length;
      times[i]!.push(timeNode(subjects[i]!.command, problems, subjects[i]!.label, nodeOptions));
    }
  }
  const emptyMedian = median(times[2]!);
  const loads: LoadTimes[] = subjects.map((s, i) => ({
    label: s.label,
    command: `${nodeOptions === '' ? '' : `NODE_OPTIONS='${nodeOptions}' `}node -e "${s.command}"`,
    runsMs: times[i]!.map((t) => Math.round(t * 1000) / 1000),
    medianMs: median(times[i]!),
    minMs: Math.min(...times[i]!),
    netMs: median(times[i]!) - emptyMedian,
  }));
  const handler = sizeOf(handlerPath);
  const reference = sizeOf(referencePath);
  // Per round: handler and reference ran in the same round, so drift between rounds cancels out.
  const rawRatios = times[0]!.map((t, r) => t / times[1]![r]!);
  const netRatios = times[0]!.map((t, r) => (t - times[2]![r]!) / (times[1]![r]! - times[2]![r]!));
  const ratioRaw = spreadOf(rawRatios, TARGET_RATIO);
  const ratioNet = spreadOf(netRatios, TARGET_RATIO);

  printTable(
    ['bundle', 'bytes', 'gzip bytes'],
    [
      ['handler', bytes(handler.bytes), bytes(handler.gzipBytes)],
      ['reference', bytes(reference.bytes), bytes(reference.gzipBytes)],
      ['handler/reference', ratio(handler.bytes / reference.bytes), ratio(handler.gzipBytes / reference.gzipBytes)],
    ],
  );
  console.log('');
  printTable(
    ['load', 'median', 'min', 'median - node -e 0'],
    loads.map((l) => [l.label, ms(l.medianMs), ms(l.minMs), ms(l.netMs)]),
  );
  console.log('');
  printTable(
    ['handler/reference per round', 'p25', 'median', 'p75', `target ${TARGET_RATIO}x`],
    [
      ['raw load time', ratio(ratioRaw.p25), ratio(ratioRaw.median), ratio(ratioRaw.p75), ratioRaw.reading],
      ['minus node -e 0 of the round', ratio(ratioNet.p25), ratio(ratioNet.median), ratio(ratioNet.p75), ratioNet.reading],
    ],
  );
  return { runs, deployed: { zip: deployed.zip, zipBytes: deployed.zipBytes, nodeOptions }, handler, reference, loads, ratioRaw, ratioNet, target: TARGET_RATIO };
}
