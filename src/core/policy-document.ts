import { fail } from './errors';

/** IAM policy JSON as AWS stores it; values we do not manage are kept as they are (SPEC R6). */
export type PolicyValue = string | string[];
export type ConditionBlock = Record<string, Record<string, PolicyValue>>;

export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: '*' | Record<string, PolicyValue>;
  NotPrincipal?: unknown;
  Action?: PolicyValue;
  NotAction?: PolicyValue;
  Resource?: PolicyValue;
  NotResource?: PolicyValue;
  Condition?: ConditionBlock;
  [other: string]: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: Statement[];
  [other: string]: unknown;
}

/** Reads a value that may be a string or a list as a list (SPEC R5). */
export function asList(value: PolicyValue | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value];
}

/** Compact JSON: what we write and what the size limits count (SPEC R6, R11). */
export function toCompactJson(document: PolicyDocument): string {
  return JSON.stringify(document);
}

export function compactByteLength(document: PolicyDocument): number {
  return Buffer.byteLength(toCompactJson(document), 'utf8');
}

export function parsePolicy(text: string, description: string): PolicyDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail(`The ${description} is not valid JSON; repair it by hand before enrolling accounts.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail(`The ${description} is not a JSON object; repair it by hand before enrolling accounts.`);
  }
  const document = parsed as PolicyDocument;
  if (document.Statement !== undefined && !Array.isArray(document.Statement)) {
    // A single statement object is valid IAM; read it as a one-item list like any other value.
    if (typeof document.Statement === 'object' && document.Statement !== null) {
      return { ...document, Statement: [document.Statement as Statement] };
    }
    fail(`The ${description} has a Statement that is neither an object nor a list; repair it by hand.`);
  }
  return { ...document, Statement: document.Statement ?? [] };
}

export function cloneDocument(document: PolicyDocument): PolicyDocument {
  return JSON.parse(JSON.stringify(document)) as PolicyDocument;
}

export function principalServices(statement: Statement): string[] {
  const principal = statement.Principal;
  if (principal === undefined || typeof principal === 'string') return [];
  return asList(principal.Service);
}

export function describeStatement(statement: Statement, index: number): string {
  return statement.Sid ? `"${statement.Sid}"` : `#${index + 1} (no Sid)`;
}
