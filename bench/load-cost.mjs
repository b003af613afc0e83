// npm run bench:load — what loading the Lambda bundle costs a cold start: wall time and RSS of a fresh `node`
// that requires dist/handler.js, with and without --enable-source-maps, next to `node -e 0`. Runs are
// interleaved so drift hits every variant alike. Usage: node bench/load-cost.mjs [runs] [bundle...]
// (several bundles, e.g. an older build, are measured side by side in the same rounds).
// dist/handler.js is the code npm run package zips and sam build makes; it has no sourceMappingURL (its map is
// external), so the --enable-source-maps variant shows the flag's own cost. A bundle with a linked map (an older
// build, or one with Sourcemap: true, for which SAM CLI adds the flag) shows what parsing the map costs.
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
const probe = (file) => `require(${JSON.stringify(file)});process.stdout.write(String(process.memoryUsage().rss))`;
const variants = [
  { label: 'node -e 0', args: ['-e', 'process.stdout.write(String(process.memoryUsage().rss))'] },
  ...bundles.flatMap((bundle, i) => {
    const name = bundles.length > 1 ? `bundle ${i + 1}` : 'handler';
    return [
      { label: name, args: ['-e', probe(bundle)] },
      { label: `${name} --enable-source-maps`, args: ['--enable-source-maps', '-e', probe(bundle)] },
    ];
  }),
];

function once(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return { ms, rss: Number(result.stdout) };
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
};

for (const v of variants) once(v.args); // warm the page cache
const samples = variants.map(() => ({ ms: [], rss: [] }));
for (let round = 0; round < runs; round++) {
  for (let k = 0; k < variants.length; k++) {
    const i = (round + k) % variants.length;
    const { ms, rss } = once(variants[i].args);
    samples[i].ms.push(ms);
    samples[i].rss.push(rss);
  }
}
const mib = (bytes) => (bytes / 1048576).toFixed(1);
console.log(`load cost, ${runs} interleaved runs, node ${process.version}`);
for (const [i, bundle] of bundles.entries()) {
  const files = [bundle, `${bundle}.map`, resolve(bundle, '..', 'organizations.js')].filter((f) => existsSync(f));
  for (const f of files) console.log(`  ${bundles.length > 1 ? `bundle ${i + 1}: ` : ''}${f}: ${statSync(f).size.toLocaleString('en-US')} bytes`);
}
console.log('variant'.padEnd(32), 'median ms'.padStart(10), 'p25-p75 ms'.padStart(14), 'RSS MiB'.padStart(9));
for (const [i, v] of variants.entries()) {
  const s = samples[i];
  console.log(v.label.padEnd(32), quantile(s.ms, 0.5).toFixed(1).padStart(10), `${quantile(s.ms, 0.25).toFixed(1)}-${quantile(s.ms, 0.75).toFixed(1)}`.padStart(14), mib(quantile(s.rss, 0.5)).padStart(9));
}
