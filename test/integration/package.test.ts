// npm run package (the release artifact) as CI runs it: the zip, the template that points at it, cfn-lint on the
// result, and the same bytes as `sam build` makes from template.yaml's esbuild Metadata (npm test builds first).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../devtools/project-root';
import { samEsbuildArgs, samNodeOptions } from '../../devtools/sam-build';
import { readZip } from '../../scripts/zip';
import { loadTemplate } from '../support/cfn-template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROOT = projectRoot();
const PACKAGE = join(ROOT, 'dist', 'tools', 'scripts', 'package.js');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let out: string;
let again: string;
let run: ReturnType<typeof spawnSync>;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'package-'));
  again = mkdtempSync(join(tmpdir(), 'package-again-'));
  run = spawnSync(process.execPath, [PACKAGE, out], { cwd: ROOT, encoding: 'utf8' });
});

afterAll(() => {
  for (const dir of [out, again]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const functionsOf = (t: Json): Array<[string, Json]> => Object.entries(t.Resources as Record<string, Json>).filter(([, r]) => r.Type === 'AWS::Serverless::Function');

describe('npm run package', () => {
  it('writes the zip, both templates, the maps and their checksums', () => {
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(readdirSync(out).sort()).toEqual(['SHA256SUMS', 'function.zip', 'handler.js.map', 'member-account.yaml', 'organizations.js.map', 'template.yaml']);
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n').map((line) => line.split('  '));
    for (const [sum, name] of sums) expect({ name, sum }).toEqual({ name, sum: sha256(readFileSync(join(out, name!))) });
    expect(readFileSync(join(out, 'member-account.yaml'), 'utf8')).toBe(readFileSync(join(ROOT, 'stacksets', 'member-account.yaml'), 'utf8'));
  });

  it('writes templates that pass cfn-lint with no errors and no warnings', () => {
    const lint = spawnSync('cfn-lint', ['--', 'template.yaml', 'member-account.yaml'], { cwd: out, encoding: 'utf8' });
    expect({ status: lint.status, output: `${lint.stdout}${lint.stderr}`.trim() }).toEqual({ status: 0, output: '' });
  });

  it('changes only where each function\'s code comes from: CodeUri function.zip, no build Metadata', () => {
    const original = loadTemplate('template.yaml');
    const packaged = loadTemplate(join(out, 'template.yaml'));
    expect(functionsOf(original).length).toBeGreaterThan(0);
    for (const [, fn] of functionsOf(original)) {
      fn.Properties.CodeUri = 'function.zip';
      delete fn.Metadata.BuildMethod;
      delete fn.Metadata.BuildProperties;
      if (Object.keys(fn.Metadata).length === 0) delete fn.Metadata;
    }
    expect(packaged).toEqual(original);
    expect(packaged.Transform).toBe('AWS::Serverless-2016-10-31');
  });

  it('zips the bundle with mode 0644 and one fixed time, readable by another zip implementation (Python\'s)', () => {
    const listing = execFileSync('python3', ['-c', [
      'import hashlib, json, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'assert z.testzip() is None',
      'print(json.dumps([[i.filename, oct(i.external_attr >> 16), list(i.date_time), hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()]))',
    ].join('\n'), join(out, 'function.zip')], { encoding: 'utf8' });
    expect(JSON.parse(listing)).toEqual(['handler.js', 'organizations.js'].map((name) => [name, '0o100644', [1980, 1, 1, 0, 0, 0], sha256(readFileSync(join(ROOT, 'dist', name)))]));
  });

  it('is deterministic: the same build gives the same zip, so the same S3 key and no needless code update', () => {
    const second = spawnSync(process.execPath, [PACKAGE, again], { cwd: ROOT, encoding: 'utf8' });
    expect(second.status).toBe(0);
    expect(readFileSync(join(again, 'function.zip')).equals(readFileSync(join(out, 'function.zip')))).toBe(true);
  });
});

describe('sam build and npm run package ship the same function', () => {
  const template = loadTemplate('template.yaml');
  const packaged = () => loadTemplate(join(out, 'template.yaml'));

  it.each(functionsOf(template).map(([id]) => id))('%s: esbuild with the arguments SAM CLI derives from its Metadata makes the bytes of function.zip', (id) => {
    const fn = template.Resources[id];
    expect(fn.Metadata.BuildMethod).toBe('esbuild');
    const samOut = mkdtempSync(join(tmpdir(), 'sam-esbuild-'));
    try {
      const build = spawnSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), [...samEsbuildArgs(fn.Metadata.BuildProperties, samOut), '--log-level=warning'], { cwd: ROOT, encoding: 'utf8' });
      expect({ status: build.status, stderr: build.stderr }).toEqual({ status: 0, stderr: '' });
      const zipped = readZip(readFileSync(join(out, 'function.zip')));
      expect(readdirSync(samOut).sort()).toEqual(zipped.map((e) => e.name));
      for (const entry of zipped) expect({ file: entry.name, same: readFileSync(join(samOut, entry.name)).equals(entry.data) }).toEqual({ file: entry.name, same: true });
    } finally {
      rmSync(samOut, { recursive: true, force: true });
    }
  });

  it.each(functionsOf(template).map(([id]) => id))('%s: the same NODE_OPTIONS either way (none: no --enable-source-maps)', (id) => {
    const fn = template.Resources[id];
    const sam = samNodeOptions(fn.Metadata.BuildProperties, fn.Properties.Environment?.Variables?.NODE_OPTIONS);
    expect(sam).toBe(packaged().Resources[id].Properties.Environment?.Variables?.NODE_OPTIONS);
    expect(sam ?? '').not.toContain('--enable-source-maps');
  });

  it('esbuild is a production dependency, which SAM\'s esbuild workflow installs (npm install --omit=dev) before it looks for node_modules/.bin/esbuild', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(manifest.dependencies.esbuild).toBeDefined();
    expect(manifest.devDependencies?.esbuild).toBeUndefined();
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/esbuild'].dev).toBeUndefined();
  });
});
