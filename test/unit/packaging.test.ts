// The release artifact's parts on their own: the template rewrite (generic over the template's functions) and the
// deterministic zip. test/integration/package.test.ts runs the whole `npm run package`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../devtools/project-root';
import { samEsbuildArgs, samNodeOptions } from '../../devtools/sam-build';
import { packageTemplate, serverlessFunctions } from '../../scripts/packaged-template';
import { readZip, writeZip } from '../../scripts/zip';

const TEMPLATE = readFileSync(join(projectRoot(), 'template.yaml'), 'utf8');
const HEADER = ' packaged';

/** template.yaml with a second function that runs the same bundle, as the delivery check will. */
function withSecondFunction(edit: (block: string) => string = (b) => b): string {
  const start = TEMPLATE.indexOf('  EnrollmentFunction:\n');
  const end = TEMPLATE.indexOf('\n  # The ServiceToken', start);
  const block = TEMPLATE.slice(start, end).replace('  EnrollmentFunction:\n', '  SyntheticFunction:\n').replace(/\n      Events:[\s\S]*$/, '\n');
  return `${TEMPLATE.slice(0, end)}\n${edit(block)}${TEMPLATE.slice(end)}`;
}

describe('packageTemplate', () => {
  it('points every function built from this project at the zip and drops its build Metadata', () => {
    const result = packageTemplate(withSecondFunction(), 'function.zip', HEADER);
    expect(result.functions.map((f) => f.logicalId)).toEqual(['EnrollmentFunction', 'DeliveryCheckFunction', 'SyntheticFunction']);
    expect(result.bundleFiles).toEqual(['handler.js', 'organizations.js']);
    const functions = serverlessFunctions(result.text);
    expect(functions.map((f) => [f.logicalId, f.properties.CodeUri, f.metadata])).toEqual([
      ['EnrollmentFunction', 'function.zip', {}],
      ['DeliveryCheckFunction', 'function.zip', {}],
      ['SyntheticFunction', 'function.zip', {}],
    ]);
    expect(result.text.startsWith('#')).toBe(true);
  });

  it('keeps CloudFormation\'s short-form functions as they were written', () => {
    const { text } = packageTemplate(TEMPLATE, 'function.zip', HEADER);
    expect(text).toContain("InVpc: !Not [!Equals [!Join ['', !Ref SubnetIds], '']]");
    expect(text).toContain('FunctionName: !GetAtt EnrollmentFunction.Arn');
  });

  it('refuses a function whose BuildProperties differ: one bundle serves every function', () => {
    const template = withSecondFunction((b) => b.replace('Minify: true', 'Minify: true\n        Banner: js=1'));
    expect(() => packageTemplate(template, 'function.zip', HEADER)).toThrow("SyntheticFunction's BuildProperties differ from EnrollmentFunction's");
  });

  it('refuses a function built another way, from another directory, or with a Handler outside the bundle', () => {
    expect(() => packageTemplate(withSecondFunction((b) => b.replace('BuildMethod: esbuild', 'BuildMethod: makefile')), 'function.zip', HEADER)).toThrow('SyntheticFunction has BuildMethod "makefile"');
    expect(() => packageTemplate(withSecondFunction((b) => b.replace('CodeUri: .', 'CodeUri: other/')), 'function.zip', HEADER)).toThrow('SyntheticFunction has CodeUri "other/"');
    expect(() => packageTemplate(withSecondFunction((b) => b.replace('Handler: handler.handler', 'Handler: check.handler')), 'function.zip', HEADER)).toThrow(`SyntheticFunction's Handler "check.handler" names no file of the bundle`);
  });

  it('leaves functions whose code is not built here (inline code) alone', () => {
    const template = withSecondFunction((b) => b.replace(/    Metadata:[\s\S]*?    Properties:\n/, '    Properties:\n').replace('CodeUri: .', 'InlineCode: "exports.handler = async () => 0"'));
    const result = packageTemplate(template, 'function.zip', HEADER);
    expect(result.functions.map((f) => f.logicalId)).toEqual(['EnrollmentFunction', 'DeliveryCheckFunction']);
    expect(serverlessFunctions(result.text).find((f) => f.logicalId === 'SyntheticFunction')!.properties.CodeUri).toBeUndefined();
  });
});

describe('what sam build makes of the Metadata (devtools/sam-build.ts, from the SAM CLI and aws-lambda-builders sources)', () => {
  it('passes true as a flag, a string as --key=value, a list item by item, and drops false', () => {
    expect(samEsbuildArgs({ EntryPoints: ['src/a.ts'], Minify: true, Target: 'node20', Sourcemap: true, SourcesContent: false, External: ['x', 'y'] }, '/out')).toEqual([
      'src/a.ts', '--bundle', '--platform=node', '--outdir=/out', '--format=cjs', '--minify', '--target=node20', '--sourcemap', '--external:x', '--external:y',
    ]);
  });

  it('adds --enable-source-maps to NODE_OPTIONS whenever Sourcemap is truthy', () => {
    expect(samNodeOptions({ Sourcemap: true }, undefined)).toBe(' --enable-source-maps');
    expect(samNodeOptions({ Sourcemap: true }, '--max-old-space-size=200')).toBe('--max-old-space-size=200 --enable-source-maps');
    expect(samNodeOptions({ Sourcemap: 'external' }, undefined)).toBe(' --enable-source-maps');
    expect(samNodeOptions({ Sourcemap: false }, undefined)).toBeUndefined();
    expect(samNodeOptions({}, undefined)).toBeUndefined();
  });

  it('template.yaml\'s function gets neither a map nor --enable-source-maps from sam build', () => {
    const [fn] = serverlessFunctions(TEMPLATE);
    const buildProperties = fn!.metadata.BuildProperties as Record<string, unknown>;
    expect(samEsbuildArgs(buildProperties, '/out').some((a) => a.startsWith('--sourcemap'))).toBe(false);
    expect(samNodeOptions(buildProperties, fn!.nodeOptions)).toBeUndefined();
  });
});

describe('writeZip', () => {
  const files = [
    { name: 'b.js', data: Buffer.from('b'.repeat(1000)) },
    { name: 'a.js', data: Buffer.from('exports.a = 1;\n') },
    { name: 'dir/empty.txt', data: Buffer.alloc(0) },
  ];

  it('round-trips every file, in name order', () => {
    expect(readZip(writeZip(files))).toEqual([...files].sort((x, y) => x.name.localeCompare(y.name)));
  });

  it('gives the same bytes for the same files in any order', () => {
    expect(writeZip(files).equals(writeZip([...files].reverse()))).toBe(true);
  });

  it('refuses names that would escape the folder or collide', () => {
    expect(() => writeZip([{ name: '../x.js', data: Buffer.alloc(1) }])).toThrow("zip entry name '../x.js' is not a relative POSIX path");
    expect(() => writeZip([{ name: '/x.js', data: Buffer.alloc(1) }])).toThrow('is not a relative POSIX path');
    expect(() => writeZip([files[0]!, files[0]!])).toThrow("zip entry 'b.js' appears twice");
  });

  it('detects a damaged entry when reading', () => {
    const zip = writeZip([{ name: 'a.txt', data: Buffer.from('hello hello hello') }]);
    const at = 30 + 'a.txt'.length + 2;
    zip.writeUInt8(zip.readUInt8(at) ^ 0xff, at);
    expect(() => readZip(zip)).toThrow();
  });
});
