// npm run bench:load — what loading the Lambda bundle costs a cold start: wall time and RSS of a fresh `node`
// that requires dist/handler.js, with and without --enable-source-maps, next to `node -e 0`. Runs are
// interleaved so drift hits every variant alike. Usage: node bench/load-cost.mjs [runs] [bundle...]
// (several bundles, e.g. an older build, are measured side by side in the same rounds, and each one's load time is
// compared with the first bundle's round by round). The --enable-source-maps variant runs only for a bundle with
// its .map beside it.
// dist/handler.js is the code npm run package zips and sam build makes; it has no sourceMappingURL (its map is
// external), so the --enable-source-maps variant shows the flag's own cost.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

const runs = Number(process.argv[2] ?? 31);
const bundles = (process.argv.length > 3 ? process.argv.slice(3) : ['dist/handler.js']).map((b) => resolve(b));
for (const bundle of bundles) {
  if (!existsSync(bundle)) {
    console.error(`${bundle} does not exist; run npm run build first.`);
    process.exit(1);
  }
}
// Each child prints its RSS and how long the require itself took (hrtime inside the child: no process start in it).
const probe = (file) => `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(process.memoryUsage().rss+' '+Number(process.hrtime.bigint()-t)/1e6)`;
const variants = [
  { label: 'node -e 0', args: ['-e', 'process.stdout.write(process.memoryUsage().rss+" 0")'] },
  ...bundles.flatMap((bundle, i) => {
    const name = bundles.length > 1 ? `bundle ${i + 1}` : 'handler';
    return [
      { label: name, bundle: i, args: ['-e', probe(bundle)] },
      ...(existsSync(`${bundle}.map`) ? [{ label: `${name} --enable-source-maps`, args: ['--enable-source-maps', '-e', probe(bundle)] }] : []),
    ];
  }),
];

function once(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  const [rss, requireMs] = result.stdout.split(' ').map(Number);
  return { ms, rss, requireMs };
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
};

for (const v of variants) once(v.args); // warm the page cache
const samples = variants.map(() => ({ ms: [], rss: [], requireMs: [] }));
for (let round = 0; round < runs; round++) {
  for (let k = 0; k < variants.length; k++) {
    const i = (round + k) % variants.length;
    const { ms, rss, requireMs } = once(variants[i].args);
    samples[i].ms.push(ms);
    samples[i].rss.push(rss);
    samples[i].requireMs.push(requireMs);
  }
}
const mib = (bytes) => (bytes / 1048576).toFixed(1);
console.log(`load cost, ${runs} interleaved runs, node ${process.version}`);
for (const [i, bundle] of bundles.entries()) {
  const files = [bundle, `${bundle}.map`, resolve(bundle, '..', 'organizations.js')].filter((f) => existsSync(f));
  for (const f of files) console.log(`  ${bundles.length > 1 ? `bundle ${i + 1}: ` : ''}${f}: ${statSync(f).size.toLocaleString('en-US')} bytes`);
}
console.log('variant'.padEnd(32), 'median ms'.padStart(10), 'p25-p75 ms'.padStart(14), 'require ms'.padStart(11), 'p25-p75'.padStart(12), 'RSS MiB'.padStart(9));
const range = (values) => `${quantile(values, 0.25).toFixed(1)}-${quantile(values, 0.75).toFixed(1)}`;
for (const [i, v] of variants.entries()) {
  const s = samples[i];
  console.log(v.label.padEnd(32), quantile(s.ms, 0.5).toFixed(1).padStart(10), range(s.ms).padStart(14), quantile(s.requireMs, 0.5).toFixed(1).padStart(11), range(s.requireMs).padStart(12), mib(quantile(s.rss, 0.5)).padStart(9));
}

// Bundle k against bundle 1, round by round (both ran in the same round, so drift between rounds cancels out):
// the raw ratio, the ratio net of the round's `node -e 0`, and the ratio of the require times measured in the child.
if (bundles.length > 1) {
  const plain = (b) => variants.findIndex((v) => v.bundle === b);
  const base = samples[plain(0)].ms;
  const empty = samples[0].ms;
  const spread = (ratios) => `${quantile(ratios, 0.5).toFixed(3)}x (p25-p75 ${quantile(ratios, 0.25).toFixed(3)}-${quantile(ratios, 0.75).toFixed(3)})`;
  console.log('');
  for (let b = 1; b < bundles.length; b++) {
    const other = samples[plain(b)].ms;
    const raw = other.map((t, r) => t / base[r]);
    const net = other.map((t, r) => (t - empty[r]) / (base[r] - empty[r]));
    const required = samples[plain(b)].requireMs.map((t, r) => t / samples[plain(0)].requireMs[r]);
    console.log(`bundle ${b + 1} / bundle 1 per round: raw ${spread(raw)}; minus node -e 0 ${spread(net)}; require alone ${spread(required)}`);
  }
}
