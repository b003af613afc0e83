// AWS Control Tower proactive controls (the cfn-guard rules Control Tower enforces as CloudFormation Hooks)
// against both templates, as a Hook sees them: template.yaml SAM-transformed, parameters, conditions and
// intrinsic functions resolved, and the custom resource's attributes in the member template replaced by the
// values the function returns. test/support/hook_view.py does the transform and the resolving.
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const guardPackage = dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
const rulesDir = join(guardPackage, 'rules', 'control-tower', 'cfn-guard');

/** The cfn-guard binary the package ships for this machine, made executable if the install lost the bit. */
function guardBinary(): string {
  const os = ({ linux: 'ubuntu', darwin: 'macos' } as Record<string, string>)[process.platform];
  const arch = ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[process.arch];
  if (!os || !arch) throw new Error(`@cdklabs/cdk-validator-cfnguard ships no cfn-guard for ${process.platform}/${process.arch}; run these tests on Linux or macOS, x64 or arm64.`);
  const binary = join(guardPackage, 'bin', os, arch, 'cfn-guard');
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    chmodSync(binary, statSync(binary).mode | 0o111);
  }
  return binary;
}

/** Every Control Tower rule (top-level `rule ... when`) with the control it implements, from the rule files. */
function controlsByRule(): Map<string, string> {
  const controls = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.guard')) {
        const text = readFileSync(path, 'utf8');
        const ids = new Set([...text.matchAll(/\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]/g)].map((m) => m[1]!));
        if (ids.size !== 1) throw new Error(`${path} names ${ids.size} Control Tower controls instead of one; check the rules package version.`);
        for (const m of text.matchAll(/^rule\s+(\w+)\s+when\b/gm)) controls.set(m[1]!, [...ids][0]!);
      }
    }
  };
  walk(rulesDir);
  return controls;
}

const controls = controlsByRule();
const guard = guardBinary();
const workDir = mkdtempSync(join(tmpdir(), 'control-tower-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface View {
  template: string;
  parameters?: Record<string, string | number>;
  pseudo?: Record<string, string>;
  attributes?: Record<string, Record<string, string>>;
}

function hookView(view: View): Json {
  const result = spawnSync('python3', [join(root, 'test', 'support', 'hook_view.py'), JSON.stringify(view)], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`hook_view.py failed for ${view.template}: ${result.stderr.trim() || result.error?.message}`);
  return JSON.parse(result.stdout);
}

interface Verdict {
  /** Control id -> resources that fail it. */
  failed: Record<string, string[]>;
  /** Names of the rules cfn-guard reported on (each rule has a template and a Hook variant; one applies). */
  evaluated: Set<string>;
}

/** Runs every Control Tower rule against the resolved template; the failed controls with their resources. */
function checkControls(name: string, resolved: Json): Verdict {
  const data = join(workDir, `${name}.json`);
  writeFileSync(data, JSON.stringify(resolved, null, 1));
  const run = spawnSync(guard, ['validate', '--rules', rulesDir, '--data', data, '--structured', '--output-format', 'json', '--show-summary', 'none'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  // cfn-guard exits 0 when every rule passes or is not applicable, 19 when one fails; anything else is an error.
  if (run.status !== 0 && run.status !== 19) throw new Error(`cfn-guard exited ${run.status} on ${name}: ${(run.stderr || run.stdout).trim()}`);
  const reports: Json[] = JSON.parse(run.stdout);
  const failed: Record<string, string[]> = {};
  const evaluated = new Set<string>();
  for (const report of reports) {
    for (const list of ['compliant', 'not_applicable']) for (const rule of report[list] ?? []) evaluated.add(rule);
    for (const entry of report.not_compliant ?? []) {
      const rule: string = entry.Rule.name;
      evaluated.add(rule);
      const control = controls.get(rule) ?? rule;
      const resources = new Set<string>(JSON.stringify(entry).match(/\/Resources\/[^/"]+/g)?.map((p) => p.slice('/Resources/'.length)) ?? []);
      failed[control] = [...new Set([...(failed[control] ?? []), ...resources])].sort();
    }
  }
  return { failed, evaluated };
}

// Realistic values for what a deployment supplies: required parameters, the accounts and the function's answer.
const OWNER = '111111111111';
const MEMBER = '222222222222';
const TRAIL_KEY = `arn:aws:kms:us-east-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ownerRequired = { TrailBucketName: 'my-trail-bucket', TrailKeyArn: TRAIL_KEY };
const memberPseudo = { 'AWS::AccountId': MEMBER, 'AWS::StackName': 'StackSet-cloudtrail-enrollment-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9' };
const memberRequired = { ServiceToken: `arn:aws:sns:us-east-1:${OWNER}:cloudtrail-enrollment-EnrollmentTopic-AbCdEfGh1234` };
const enrollmentAttributes = (prefix = '') => ({
  AccountEnrollment: { AccountId: MEMBER, BucketName: 'my-trail-bucket', KeyArn: TRAIL_KEY, LogFilePrefix: prefix, BucketPolicyResource: `arn:aws:s3:::my-trail-bucket/${prefix ? `${prefix}/` : ''}AWSLogs/${MEMBER}/*`, KeyPolicyTrailArn: `arn:aws:cloudtrail:*:${MEMBER}:trail/*` },
});

// CT.LAMBDA.PR.3 wants every function in a customer VPC. The function needs no VPC (it only calls AWS APIs), so
// VPC placement is optional: without SubnetIds there is no VpcConfig and this one control fails by design.
// With subnets and security groups given, nothing is exempt.
const EXEMPT_WITHOUT_VPC = ['CT.LAMBDA.PR.3'];

const cases: Array<{ title: string; view: View; exempt: string[] }> = [
  { title: 'template.yaml, defaults (key created, no organization, no VPC)', view: { template: 'template.yaml', parameters: ownerRequired }, exempt: EXEMPT_WITHOUT_VPC },
  {
    title: 'template.yaml, organization, VPC and the operator\'s own key',
    view: {
      template: 'template.yaml',
      parameters: {
        ...ownerRequired,
        OrganizationId: 'o-a1b2c3d4e5',
        ProtectedAccountIds: OWNER,
        DataKeyArn: `arn:aws:kms:us-east-1:${OWNER}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
        SubnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
        SecurityGroupIds: 'sg-0123456789abcdef0',
      },
    },
    exempt: [],
  },
  {
    title: 'template.yaml, the 1.x upgrade window open (AllowLegacyServiceToken), organization and VPC',
    view: { template: 'template.yaml', parameters: { ...ownerRequired, OrganizationId: 'o-a1b2c3d4e5', AllowLegacyServiceToken: 'true', SubnetIds: 'subnet-0123456789abcdef0', SecurityGroupIds: 'sg-0123456789abcdef0' } },
    exempt: [],
  },
  { title: 'template.yaml, VPC and a created key', view: { template: 'template.yaml', parameters: { ...ownerRequired, SubnetIds: 'subnet-0123456789abcdef0', SecurityGroupIds: 'sg-0123456789abcdef0' } }, exempt: [] },
  // The alarms notify the operator's own topic instead of one the stack creates (SPEC R36).
  { title: 'template.yaml, the operator\'s alarm topic', view: { template: 'template.yaml', parameters: { ...ownerRequired, AlarmTopicArn: `arn:aws:sns:us-east-1:${OWNER}:on-call`, AlarmEmail: 'secops@example.com' } }, exempt: EXEMPT_WITHOUT_VPC },
  { title: 'stacksets/member-account.yaml, defaults', view: { template: 'stacksets/member-account.yaml', parameters: memberRequired, pseudo: memberPseudo, attributes: enrollmentAttributes() }, exempt: [] },
  {
    title: 'stacksets/member-account.yaml, prefix, trail ARN, Config rule and the operator\'s own log key',
    view: {
      template: 'stacksets/member-account.yaml',
      parameters: { ...memberRequired, LogFilePrefix: 'org', IncludeTrailArn: 'true', EnableConfigRule: 'true', TrailLogGroupKeyArn: `arn:aws:kms:us-east-1:${MEMBER}:key/9a8b7c6d-5e4f-3a2b-1c0d-ffeeddccbbaa`, TrailLogRetentionDays: 731 },
      pseudo: memberPseudo,
      attributes: enrollmentAttributes('org'),
    },
    exempt: [],
  },
];

describe('AWS Control Tower proactive controls', () => {
  it('knows the Control Tower rules of the installed package', () => {
    expect(controls.size).toBeGreaterThan(200);
    expect(controls.get('cloudwatch_log_group_encrypted_check')).toBe('CT.CLOUDWATCH.PR.3');
  });

  it.each(cases)('$title: every control passes, except the exempt ones', ({ title, view, exempt }) => {
    const resolved = hookView(view);
    const { failed, evaluated } = checkControls(title.replace(/[^A-Za-z0-9]+/g, '-'), resolved);
    expect([...evaluated].sort()).toEqual([...controls.keys()].sort());
    const unexpected = Object.fromEntries(Object.entries(failed).filter(([control]) => !exempt.includes(control)));
    expect(unexpected).toEqual({});
    // The exemption is needed, or it goes: an exempt control must actually fail.
    expect(Object.keys(failed).sort()).toEqual([...exempt].sort());
  });

  it('resolves the templates as a Hook sees them (no parameter references or conditions left; references to resources stay)', () => {
    for (const { view } of cases) {
      const resolved = hookView(view);
      const text = JSON.stringify(resolved.Resources);
      expect(text).not.toMatch(/"Fn::If"|"Condition":"|"AWS::NoValue"/);
      for (const name of Object.keys(resolved.Parameters ?? {})) expect(text).not.toContain(`{"Ref":"${name}"}`);
    }
  });

  it('fails CT.CLOUDTRAIL.PR.3 when the member turns CloudWatch Logs delivery off', () => {
    const view: View = { template: 'stacksets/member-account.yaml', parameters: { ...memberRequired, SendToCloudWatchLogs: 'false' }, pseudo: memberPseudo, attributes: enrollmentAttributes() };
    expect(Object.keys(checkControls('member-no-logs', hookView(view)).failed)).toEqual(['CT.CLOUDTRAIL.PR.3']);
  });
});
