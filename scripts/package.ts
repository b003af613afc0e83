/**
 * npm run package [-- OUTDIR]: the release artifact, for a deployment without SAM CLI and without esbuild.
 * `npm run package` builds first (scripts/build.mjs); this script then writes, into OUTDIR (default dist/package):
 *   function.zip         the function bundle (handler.js, organizations.js), deterministic (scripts/zip.ts)
 *   template.yaml        template.yaml with every AWS::Serverless::Function's CodeUri pointing at function.zip
 *   member-account.yaml  the member template for the StackSet, as it is in stacksets/
 *   *.js.map             the bundle's source maps (without the sources), for reading stack traces offline; not deployed
 *   SHA256SUMS           checksums of the files above
 * Then: aws cloudformation package --template-file OUTDIR/template.yaml --s3-bucket BUCKET --output-template-file packaged.yaml
 * and aws cloudformation deploy --template-file packaged.yaml ... (docs/upgrading.md has the whole command).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { projectRoot } from '../devtools/project-root';
import { packageTemplate } from './packaged-template';
import { writeZip } from './zip';

const ZIP_NAME = 'function.zip';

function main(): void {
  const root = projectRoot();
  const out = resolve(process.argv[2] ?? join(root, 'dist', 'package'));
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const header = [
    ` Packaged by npm run package from template.yaml of cloudtrail-enrollment ${version}.`,
    ` Every AWS::Serverless::Function runs the prebuilt ${ZIP_NAME} beside this file. Deploy with`,
    ' aws cloudformation package (uploads the zip) and aws cloudformation deploy; no SAM CLI, no esbuild.',
  ].join('\n');
  const { text, functions, bundleFiles } = packageTemplate(readFileSync(join(root, 'template.yaml'), 'utf8'), ZIP_NAME, header);

  const dist = join(root, 'dist');
  const missing = bundleFiles.filter((file) => !existsSync(join(dist, file)));
  if (missing.length > 0) throw new Error(`dist/${missing[0]} does not exist; run npm run package, which builds first.`);
  const zip = writeZip(bundleFiles.map((name) => ({ name, data: readFileSync(join(dist, name)) })));

  mkdirSync(out, { recursive: true });
  const written: Array<[string, Buffer]> = [
    [ZIP_NAME, zip],
    ['template.yaml', Buffer.from(text)],
    ['member-account.yaml', readFileSync(join(root, 'stacksets', 'member-account.yaml'))],
    ...bundleFiles.filter((file) => existsSync(join(dist, `${file}.map`))).map((file): [string, Buffer] => [`${file}.map`, readFileSync(join(dist, `${file}.map`))]),
  ];
  for (const [name, data] of written) writeFileSync(join(out, name), data);
  const sums = written.map(([name, data]) => `${createHash('sha256').update(data).digest('hex')}  ${name}`);
  writeFileSync(join(out, 'SHA256SUMS'), `${sums.join('\n')}\n`);

  const where = relative(process.cwd(), out) || '.';
  console.log(`cloudtrail-enrollment ${version} packaged in ${where}/`);
  console.log(`  ${ZIP_NAME}: ${zip.length.toLocaleString('en-US')} bytes (${bundleFiles.join(', ')}), sha256 ${sums[0]!.split(' ')[0]}`);
  console.log(`  template.yaml: ${functions.map((f) => f.logicalId).join(', ')} -> CodeUri ${ZIP_NAME}`);
  console.log('  member-account.yaml, source maps (not deployed) and SHA256SUMS');
  console.log(`next: aws cloudformation package --template-file ${where}/template.yaml --s3-bucket <artifact bucket> --output-template-file packaged.yaml`);
}

try {
  main();
} catch (error) {
  console.error(`npm run package: ${(error as Error).message}`);
  process.exitCode = 1;
}
