// Keeps the README (and the links of docs/) honest: the reference tables name every parameter of both templates with
// its default and every variable the template sets on the functions; every repository path, npm script and CLI flag
// the README shows exists; the first deploy command comes early; links and anchors resolve.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { USAGE } from '../../src/cli/args';
import { CLI_VARIABLES } from '../../src/cli/wording';
import { loadTemplate } from '../support/cfn-template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const root = resolve(__dirname, '..', '..');
const README = readFileSync(join(root, 'README.md'), 'utf8');
const DOCS = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f));

/** The text outside fenced code blocks, line for line (fenced lines become empty, so line numbers stay). */
function prose(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*```/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** The lines inside fenced code blocks, with their 1-based line numbers. */
function fencedLines(markdown: string): Array<{ line: number; text: string }> {
  let fenced = false;
  const out: Array<{ line: number; text: string }> = [];
  markdown.split('\n').forEach((text, i) => {
    if (/^\s*```/.test(text)) fenced = !fenced;
    else if (fenced) out.push({ line: i + 1, text });
  });
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The part of a markdown document under one `## ` heading, up to the next one. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** Table rows of a markdown text as cells, header and separator rows included. */
function tableRows(markdown: string): string[][] {
  return prose(markdown)
    .split('\n')
    .filter((l) => /^\s*\|/.test(l))
    .map((l) => l.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim()));
}

/** Link targets that are not URLs (relative paths and anchors). */
const relativeLinks = (markdown: string): string[] => [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/.test(target));

const codeSpans = (text: string): string[] => [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.trim());

const REFERENCE = section(README, 'Reference');
const referenceRows = tableRows(REFERENCE);
/** Every name in the first column of a reference table, and the row it heads. */
const referenceNames = new Map<string, string[]>(referenceRows.flatMap((row) => codeSpans(row[0] ?? '').map((name): [string, string[]] => [name, row])));

/** How a reference table writes a template parameter's default. */
function writtenDefault(parameter: Json): string {
  if (parameter.Default === undefined) return 'required';
  const value = String(parameter.Default);
  return value === '' ? 'empty' : value;
}

describe.each([
  ['template.yaml', 'Owner template (`template.yaml`)'],
  ['stacksets/member-account.yaml', 'Member template (`stacksets/member-account.yaml`)'],
])('the README reference table of %s', (path, heading) => {
  const parameters = Object.entries(loadTemplate(path).Parameters as Record<string, Json>);

  it('sits under its own heading', () => {
    expect(REFERENCE).toContain(`### ${heading}`);
  });

  it.each(parameters.map(([name, p]) => [name, p]))('names %s with the template\'s default', (name, parameter) => {
    const row = referenceNames.get(name as string);
    expect({ name, inTable: row !== undefined }).toEqual({ name, inTable: true });
    const cell = row![1]!.replace(/[`']/g, '');
    expect({ name, default: cell }).toEqual({ name, default: writtenDefault(parameter) });
  });
});

describe('the README reference tables of environment variables', () => {
  const template = loadTemplate('template.yaml');
  const functions = Object.entries(template.Resources as Record<string, Json>).filter(([, r]) => r.Type === 'AWS::Serverless::Function');
  const variables = [...new Set(functions.flatMap(([, f]) => Object.keys(f.Properties?.Environment?.Variables ?? {})))];

  it('covers both functions', () => {
    expect(functions.map(([id]) => id).sort()).toEqual(['DeliveryCheckFunction', 'EnrollmentFunction']);
    expect(variables.length).toBeGreaterThan(10);
  });

  it.each(variables)('names %s, which template.yaml sets on a function', (variable) => {
    expect({ variable, inTable: referenceNames.has(variable) }).toEqual({ variable, inTable: true });
  });

  it.each([...CLI_VARIABLES])('says the CLI reads %s', (variable) => {
    const cli = REFERENCE.slice(REFERENCE.indexOf('### Environment variables of the CLI'));
    expect(codeSpans(cli.slice(0, cli.indexOf('\n### ', 5)))).toContain(variable);
  });
});

/** Top-level names of the repository that a README path may start with; examples/ comes from another branch. */
const GENERATED = ['node_modules', 'dist', 'coverage', '.aws-sam', '.local', '.git'];
const ROOTS = new Set([...readdirSync(root).filter((name) => !GENERATED.includes(name)), 'examples']);
/** .gitignore's plain entries (no globs): paths the build or the tools write, not the repository's. */
const IGNORED = readFileSync(join(root, '.gitignore'), 'utf8').split('\n').map((l) => l.trim().replace(/\/$/, '')).filter((l) => l && !/[*?[]/.test(l));

/** A code span or `file://` argument that names a path of this repository, without placeholders. */
function repositoryPath(token: string): string | undefined {
  const path = token.replace(/^file:\/\//, '');
  if (!/^[\w.-]+(\/[\w.-]*)*$/.test(path)) return undefined;
  if (!path.includes('/') && !/\.(md|ts|mjs|js|json|ya?ml|toml)$/.test(path)) return undefined;
  if (!ROOTS.has(path.split('/')[0]!)) return undefined;
  if (IGNORED.some((ignored) => path === ignored || path.startsWith(`${ignored}/`))) return undefined;
  return path;
}

describe('paths, scripts and commands the README names', () => {
  const spans = codeSpans(prose(README));
  const fileArguments = fencedLines(README).flatMap(({ text }) => [...text.matchAll(/file:\/\/([^\s'"]+)/g)].map((m) => m[1]!));
  const linkTargets = relativeLinks(README).map((target) => target.split('#')[0]!).filter(Boolean);
  const paths = [...new Set([...spans, ...fileArguments, ...linkTargets].map(repositoryPath).filter((p): p is string => p !== undefined))];

  it('names repository paths at all (the check is not empty)', () => {
    expect(paths).toEqual(expect.arrayContaining(['template.yaml', 'stacksets/member-account.yaml', 'docs/doctor.md']));
  });

  // examples/stacksets-cli/, examples/cfct/, examples/lza/ and examples/README.md exist once the examples branch is merged.
  it.each(paths)('%s exists in the repository', (path) => {
    expect({ path, exists: existsSync(join(root, path)) }).toEqual({ path, exists: true });
  });

  const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
  const named = [...new Set([...README.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!))];

  it.each(named)('npm run %s is a script of package.json', (script) => {
    expect(scripts).toContain(script);
  });

  /** Each command's flags, from the CLI's own usage text. */
  const usageFlags = new Map<string, Set<string>>();
  let current: string | undefined;
  for (const line of USAGE.split('\n')) {
    const command = /cloudtrail-enrollment (\w+)/.exec(line);
    if (command && /^(Usage:)?\s*cloudtrail-enrollment /.test(line)) current = command[1];
    else if (!/^\s+\[/.test(line)) current = undefined;
    if (current) for (const flag of line.matchAll(/--[a-z-]+/g)) (usageFlags.get(current) ?? usageFlags.set(current, new Set()).get(current)!).add(flag[0]);
  }

  /** Every CLI command line of the README (continuation lines joined), inline or in a code block. */
  const commandLines = README.replace(/\\\n\s*/g, ' ')
    .split('\n')
    .flatMap((line) => [...line.matchAll(/(?:cloudtrail-enrollment|node dist\/cli\.js) (status|doctor|handover|release)\b([^`\n#]*)/g)])
    .map((m) => ({ command: m[1]!, flags: [...m[2]!.matchAll(/(?<![\w-])--[a-z-]+/g)].map((f) => f[0]) }));

  it('reads the usage of all four commands and finds them in the README', () => {
    expect([...usageFlags.keys()].sort()).toEqual(['doctor', 'handover', 'release', 'status']);
    expect(new Set(commandLines.map((c) => c.command))).toEqual(new Set(['doctor', 'handover', 'release', 'status']));
  });

  it.each(commandLines.flatMap(({ command, flags }) => flags.map((flag) => [command, flag])))('cloudtrail-enrollment %s %s is in the CLI usage', (command, flag) => {
    expect([...usageFlags.get(command)!]).toContain(flag);
  });
});

describe('the README as a guide', () => {
  it('shows its first deploy command within its first 150 lines', () => {
    const deploy = fencedLines(README).find(({ text }) => /^\s*(sam deploy|aws cloudformation deploy)\b/.test(text));
    expect(deploy?.line).toBeLessThanOrEqual(150);
  });

  it('keeps the quick start two commands on a fresh clone', () => {
    const commands = fencedLines(README).map(({ text }) => text.trim());
    expect(commands.some((c) => c.startsWith('npm ci && npm run demo'))).toBe(true);
    expect(commands.some((c) => c.startsWith('npm test'))).toBe(true);
  });

  it('cites no rule numbers and no tables of "new" parameters', () => {
    expect(README.match(/\bR\d{1,2}\b|\bSPEC\b/g) ?? []).toEqual([]);
    expect(README).not.toMatch(/new parameters/i);
  });
});

// The README's links to files are repository paths, checked above; here their anchors, and every link of docs/.
describe.each(['README.md', ...DOCS])('links of %s', (file) => {
  const links = relativeLinks(readFileSync(join(root, file), 'utf8')).filter((target) => file !== 'README.md' || target.includes('#'));

  it.each(links.length > 0 ? links : ['(none)'])('%s resolves', (target) => {
    if (target === '(none)') return;
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const resolved = path === '' ? join(root, file) : resolve(root, dirname(file), path);
    expect({ target, exists: existsSync(resolved) }).toEqual({ target, exists: true });
    if (anchor !== undefined && statSync(resolved).isFile() && resolved.endsWith('.md')) {
      expect({ target, in: relative(root, resolved), anchor: anchorsOf(readFileSync(resolved, 'utf8')).has(anchor) }).toEqual({ target, in: relative(root, resolved), anchor: true });
    }
  });
});
