// Test support: the deployment templates, parsed with cfn-lint's own YAML loader (handles !Ref, !GetAtt, ...,
// so no YAML dependency), and their values as CloudFormation would deploy them, for policy checks.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const root = resolve(__dirname, '..', '..');

const DECODE = [
  'import json, sys',
  'from cfnlint.decode import decode',
  't, m = decode(sys.argv[1])',
  'if m: raise ValueError("; ".join(str(x) for x in m))',
  'print(json.dumps(t, default=str))',
].join('\n');

/** A template of this project (path relative to the project root) as JSON. */
export function loadTemplate(path: string): Json {
  return JSON.parse(execFileSync('python3', ['-c', DECODE, path], { cwd: root, encoding: 'utf8' }));
}

export const OWNER = '111111111111';
export const TOPIC_ARN = `arn:aws:sns:us-east-1:${OWNER}:cloudtrail-enrollment-EnrollmentTopic-AbCdEfGh1234`;
const NO_VALUE = Symbol('AWS::NoValue');

/** The Arn attribute of a resource of the template, shaped like the real one of its type. */
function attributeArn(t: Json, id: string): string {
  switch (t.Resources[id]?.Type) {
    case 'AWS::DynamoDB::Table': return `arn:aws:dynamodb:us-east-1:${OWNER}:table/${id}`;
    case 'AWS::Logs::LogGroup': return `arn:aws:logs:us-east-1:${OWNER}:log-group:${id}:*`;
    case 'AWS::KMS::Key': return `arn:aws:kms:us-east-1:${OWNER}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
    default: return `arn:aws:lambda:us-east-1:${OWNER}:function:${id}`;
  }
}

/**
 * Resolves the intrinsic functions the topic and role resources use (Ref, Fn::Sub, Fn::If, Fn::Split, Fn::Join, Fn::GetAtt
 * and the conditions' Fn::Equals/Fn::Not/Fn::And/Fn::Or) for one set of parameter values, as CloudFormation would deploy them.
 */
export function resolveIntrinsics(t: Json, node: Json, parameters: Record<string, string>): Json {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': OWNER, 'AWS::Region': 'us-east-1', 'AWS::StackName': 'cloudtrail-enrollment', 'AWS::URLSuffix': 'amazonaws.com' };
  const ref = (name: string): Json => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in pseudo) return pseudo[name];
    if (name in t.Parameters) return parameters[name] ?? t.Parameters[name].Default ?? '';
    if (t.Resources[name]?.Type === 'AWS::SNS::Topic') return TOPIC_ARN;
    throw new Error(`the test resolver does not know Ref ${name}`);
  };
  const condition = (name: string): boolean => Boolean(resolveIntrinsics(t, t.Conditions[name], parameters));
  const walk = (n: Json): Json => {
    if (Array.isArray(n)) return n.map(walk).filter((v) => v !== NO_VALUE);
    if (n === null || typeof n !== 'object') return n;
    const keys = Object.keys(n);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = n[key];
      switch (key) {
        case 'Ref': return ref(arg);
        case 'Fn::Sub': return String(arg).replace(/\$\{([^}]+)\}/g, (_, name: string) => String(ref(name)));
        case 'Fn::If': return walk(condition(arg[0]) ? arg[1] : arg[2]);
        case 'Fn::Split': return String(walk(arg[1])).split(arg[0]);
        case 'Fn::Equals': return walk(arg[0]) === walk(arg[1]);
        case 'Fn::Not': return !walk(arg[0]);
        case 'Fn::And': return (arg as Json[]).every((c) => Boolean(walk(c)));
        case 'Fn::Or': return (arg as Json[]).some((c) => Boolean(walk(c)));
        case 'Fn::Join': {
          const items = walk(arg[1]);
          return (Array.isArray(items) ? items : [items]).join(arg[0]);
        }
        case 'Fn::GetAtt': return attributeArn(t, arg[0]);
        case 'Condition': if (typeof arg === 'string') return condition(arg);
      }
    }
    return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, walk(v)]).filter(([, v]) => v !== NO_VALUE));
  };
  return walk(node);
}
