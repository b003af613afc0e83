/**
 * The release template: template.yaml with every AWS::Serverless::Function pointed at the prebuilt zip instead
 * of being built by `sam build`. Generic over the functions: each one built by esbuild from this project's source
 * gets the same zip, because this project builds one function bundle (scripts/build.mjs) and every function runs
 * an entry point of it. The rest of the template, comments included, is kept as written; the SAM transform still
 * runs in CloudFormation.
 */
import { isMap, isScalar, parseDocument, YAMLMap } from 'yaml';

/** CloudFormation's short-form intrinsic functions: kept as they are, unresolved. */
const CLOUDFORMATION_TAGS = new Set(['!And', '!Base64', '!Cidr', '!Condition', '!Equals', '!FindInMap', '!GetAtt', '!GetAZs', '!If', '!ImportValue', '!Join', '!Not', '!Or', '!Ref', '!Select', '!Split', '!Sub', '!Transform']);

export interface PackagedFunction {
  logicalId: string;
  /** The file of the zip that its Handler names, e.g. handler.js. */
  handlerFile: string;
  /** NODE_OPTIONS as the template sets it for the function (undefined: not set). */
  nodeOptions?: string;
}

export interface PackagedTemplate {
  text: string;
  functions: PackagedFunction[];
  /** The files of the one function bundle (the outputs of its EntryPoints), e.g. handler.js, organizations.js. */
  bundleFiles: string[];
}

type Json = unknown;

function loadDocument(text: string, name: string) {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const problems = [
    ...doc.errors.map(String),
    // Unknown tags are reported as warnings; CloudFormation's own are expected and kept.
    ...doc.warnings.filter((w) => !(w.code === 'TAG_RESOLVE_FAILED' && [...CLOUDFORMATION_TAGS].some((tag) => w.message.includes(`tag: ${tag}`)))).map(String),
  ];
  if (problems.length > 0) throw new Error(`${name} is not a template this tool can read: ${problems[0]!.split('\n')[0]}`);
  if (!isMap(doc.contents) || !isMap(doc.get('Resources'))) throw new Error(`${name} has no Resources section.`);
  return doc;
}

/** The AWS::Serverless::Function resources of a template, with their settings as plain values. */
export function serverlessFunctions(text: string, name = 'the template'): Array<{ logicalId: string; properties: Record<string, Json>; metadata: Record<string, Json>; nodeOptions?: string }> {
  const doc = loadDocument(text, name);
  const resources = doc.get('Resources') as YAMLMap;
  const found = [];
  for (const pair of resources.items) {
    const logicalId = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const resource = isMap(pair.value) ? (pair.value.toJSON() as Record<string, Json>) : {};
    if (resource.Type !== 'AWS::Serverless::Function') continue;
    const properties = (resource.Properties ?? {}) as Record<string, Json>;
    const variables = ((properties.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {}) as Record<string, Json>;
    const nodeOptions = variables.NODE_OPTIONS;
    found.push({ logicalId, properties, metadata: (resource.Metadata ?? {}) as Record<string, Json>, ...(nodeOptions === undefined ? {} : { nodeOptions: String(nodeOptions) }) });
  }
  return found;
}

/** Where esbuild puts an entry point's output when all entry points share one directory: its base name, .js. */
function outputOf(entryPoint: string): string {
  return `${entryPoint.replace(/^.*\//, '').replace(/\.[cm]?[jt]sx?$/, '')}.js`;
}

function hasLocalCode(properties: Record<string, Json>): boolean {
  if (properties.InlineCode !== undefined || properties.ImageUri !== undefined || properties.PackageType === 'Image') return false;
  const codeUri = properties.CodeUri;
  return !(typeof codeUri === 'object' || (typeof codeUri === 'string' && codeUri.startsWith('s3://')));
}

/**
 * Rewrites every locally built function of the template to `CodeUri: <codeUri>` and drops its build Metadata.
 * Refuses what one prebuilt bundle cannot serve: another build method, another code directory, build properties
 * that differ between functions, entry points in different directories, a Handler whose file is not in the bundle.
 */
export function packageTemplate(text: string, codeUri: string, header: string): PackagedTemplate {
  const doc = loadDocument(text, 'template.yaml');
  const functions = serverlessFunctions(text, 'template.yaml').filter((f) => hasLocalCode(f.properties));
  if (functions.length === 0) throw new Error('template.yaml has no AWS::Serverless::Function built from this project; nothing to package.');
  const [first] = functions;
  const buildProperties = JSON.stringify(first!.metadata.BuildProperties ?? null);
  for (const f of functions) {
    if (f.metadata.BuildMethod !== 'esbuild') throw new Error(`${f.logicalId} has BuildMethod ${JSON.stringify(f.metadata.BuildMethod)}; npm run package ships the esbuild bundle only, so give it BuildMethod esbuild.`);
    if ((f.properties.CodeUri ?? '.') !== '.') throw new Error(`${f.logicalId} has CodeUri ${JSON.stringify(f.properties.CodeUri)}; the bundle is built from the project root, so set CodeUri: . as the other functions have.`);
    if (JSON.stringify(f.metadata.BuildProperties ?? null) !== buildProperties) {
      throw new Error(`${f.logicalId}'s BuildProperties differ from ${first!.logicalId}'s; this project builds one function bundle, so give every function the same BuildProperties.`);
    }
  }
  const entryPoints = (first!.metadata.BuildProperties as { EntryPoints?: unknown } | undefined)?.EntryPoints;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0 || !entryPoints.every((e) => typeof e === 'string')) {
    throw new Error(`${first!.logicalId} has no BuildProperties.EntryPoints list; name the bundle's entry points (src/handler.ts, ...).`);
  }
  const directories = new Set(entryPoints.map((e: string) => (e.includes('/') ? e.replace(/\/[^/]*$/, '') : '.')));
  if (directories.size > 1) throw new Error(`The EntryPoints ${entryPoints.join(', ')} are in different directories, so esbuild would nest their outputs; keep them in one directory.`);
  const bundleFiles = [...new Set(entryPoints.map(outputOf))].sort();

  const packaged: PackagedFunction[] = [];
  const resources = doc.get('Resources') as YAMLMap;
  for (const f of functions) {
    const handler = String(f.properties.Handler ?? '');
    const handlerFile = `${handler.replace(/\.[^.]*$/, '')}.js`;
    if (!handler.includes('.') || !bundleFiles.includes(handlerFile)) {
      throw new Error(`${f.logicalId}'s Handler ${JSON.stringify(handler)} names no file of the bundle (${bundleFiles.join(', ')}); point it at one of them.`);
    }
    const resource = resources.get(f.logicalId) as YAMLMap;
    resource.setIn(['Properties', 'CodeUri'], codeUri);
    const metadata = resource.get('Metadata') as YAMLMap;
    metadata.delete('BuildMethod');
    metadata.delete('BuildProperties');
    if (metadata.items.length === 0) resource.delete('Metadata');
    packaged.push({ logicalId: f.logicalId, handlerFile, ...(f.nodeOptions === undefined ? {} : { nodeOptions: f.nodeOptions }) });
  }
  doc.commentBefore = header;
  return { text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }), functions: packaged, bundleFiles };
}
