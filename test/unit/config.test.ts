import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveEnrollment, stackMayManage } from '../../src/config/enrollment';
import { readSettings } from '../../src/config/settings';
import { OperatorError } from '../../src/core/errors';
import { enrollmentOfPhysicalId, notEnrolledId, physicalIdOf } from '../../src/lifecycle/physical-id';
import { KEY_ARN, MEMBER, OWNER } from './helpers';

const settings = (env: Record<string, string> = {}) => readSettings({ TRAIL_BUCKET_NAME: 'my-trail-bucket', TRAIL_KEY_ARN: KEY_ARN, ...env });

describe('resolving the enrollment (R1, R2)', () => {
  it('defaults AccountId to the stack account and takes pinned targets from the environment', () => {
    expect(resolveEnrollment({ ServiceToken: 'x' }, MEMBER, settings())).toEqual({
      accountId: MEMBER,
      bucketName: 'my-trail-bucket',
      logFilePrefix: '',
      key: { arn: KEY_ARN, partition: 'aws', region: 'us-east-1', ownerAccountId: OWNER, keyId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' },
    });
  });

  it.each([
    ['*'],
    ['22222222222'],
    ['2222222222222'],
    ['abcdefghijkl'],
    [' 222222222222'],
    ['2222 2222222'],
    ['arn:aws:iam::222222222222:root'],
    ['22222222222?'],
  ])('refuses AccountId %j with a sentence naming it', (value) => {
    expect(() => resolveEnrollment({ AccountId: value }, MEMBER, settings())).toThrow(
      new OperatorError(`The property AccountId ${JSON.stringify(value)} is not a 12-digit AWS account ID; set it to exactly 12 digits with no spaces or wildcards, or leave it empty to use the stack's account.`),
    );
  });

  it('refuses a property that names another target than the pinned one', () => {
    expect(() => resolveEnrollment({ BucketName: 'other-bucket' }, MEMBER, settings())).toThrow(/pinned to "my-trail-bucket" by TRAIL_BUCKET_NAME/);
    expect(() => resolveEnrollment({ KeyArn: KEY_ARN.replace('0f1e', 'aaaa') }, MEMBER, settings())).toThrow(/TRAIL_KEY_ARN/);
    expect(resolveEnrollment({ BucketName: 'my-trail-bucket', KeyArn: KEY_ARN }, MEMBER, settings()).bucketName).toBe('my-trail-bucket');
  });

  it('requires bucket and key when nothing pins them, and refuses alias ARNs', () => {
    expect(() => resolveEnrollment({}, MEMBER, readSettings({}))).toThrow(/BucketName is required/);
    expect(() => resolveEnrollment({ BucketName: 'b-b-b' }, MEMBER, readSettings({}))).toThrow(/KeyArn is required/);
    expect(() => resolveEnrollment({ BucketName: 'b-b-b', KeyArn: 'arn:aws:kms:us-east-1:111111111111:alias/trail' }, MEMBER, readSettings({}))).toThrow(/alias ARN/);
  });

  it.each([['/logs'], ['logs/'], ['lo*gs'], ['a'.repeat(201)]])('refuses LogFilePrefix %j', (prefix) => {
    expect(() => resolveEnrollment({ LogFilePrefix: prefix }, MEMBER, settings())).toThrow(OperatorError);
  });

  it('requires TrailArn to be a trail of the member in the key partition', () => {
    expect(() => resolveEnrollment({ TrailArn: 'arn:aws:cloudtrail:us-east-1:333333333333:trail/t1' }, MEMBER, settings())).toThrow(/TrailArn/);
    expect(resolveEnrollment({ TrailArn: 'arn:aws:cloudtrail:eu-west-1:222222222222:trail/org' }, MEMBER, settings()).trailArn).toBe('arn:aws:cloudtrail:eu-west-1:222222222222:trail/org');
  });

  it('refuses malformed settings with the variable name', () => {
    expect(() => readSettings({ PROTECTED_ACCOUNT_IDS: '123' })).toThrow(/PROTECTED_ACCOUNT_IDS contains '123'/);
    expect(() => readSettings({ TRAIL_KEY_ARN: 'key' })).toThrow(/TRAIL_KEY_ARN/);
  });
});

describe('who may manage which account (R24)', () => {
  it('admits the own account, the owner account and admin accounts only', () => {
    const s = settings({ ADMIN_ACCOUNT_IDS: '444444444444' });
    expect(stackMayManage(MEMBER, MEMBER, OWNER, s)).toBe(true);
    expect(stackMayManage(MEMBER, OWNER, OWNER, s)).toBe(true);
    expect(stackMayManage(MEMBER, '444444444444', OWNER, s)).toBe(true);
    expect(stackMayManage(MEMBER, '333333333333', OWNER, s)).toBe(false);
  });
});

describe('physical resource ids (R15, R17)', () => {
  const enrollment = resolveEnrollment({ LogFilePrefix: 'org;logs/a b', TrailArn: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/org' }, MEMBER, settings());

  it('round-trip everything Delete needs, start with the account and stay under 1 KB', () => {
    const id = physicalIdOf(enrollment);
    expect(id.startsWith(`${MEMBER};`)).toBe(true);
    expect(enrollmentOfPhysicalId(id)).toEqual(enrollment);
    expect(physicalIdOf(enrollment)).toBe(id);
    const longest = resolveEnrollment({ LogFilePrefix: ';'.repeat(200), BucketName: 'b'.repeat(63), KeyArn: undefined as never }, MEMBER, settings({ TRAIL_BUCKET_NAME: 'b'.repeat(63) }));
    expect(Buffer.byteLength(physicalIdOf(longest))).toBeLessThanOrEqual(1024);
  });

  it('refuse ARN parts of the wrong shape, so no id can outgrow 1,024 bytes through them', () => {
    const longRegion = `us-${'east'.repeat(300)}-1`;
    expect(() => resolveEnrollment({ TrailArn: `arn:aws:cloudtrail:${longRegion}:222222222222:trail/org` }, MEMBER, settings())).toThrow(/TrailArn/);
    for (const trail of ['arn:aws:cloudtrail:us-east-1:222222222222:trail/-org', 'arn:aws:cloudtrail:us-east-1:222222222222:trail/o', `arn:aws:cloudtrail:us-east-1:222222222222:trail/${'t'.repeat(129)}`, 'arn:aws:cloudtrail:cn-north-1:222222222222:trail/org']) {
      expect(() => resolveEnrollment({ TrailArn: trail }, MEMBER, settings())).toThrow(/TrailArn/);
    }
    for (const key of [`arn:aws:kms:${longRegion}:111111111111:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`, 'arn:aws:kms:us-east-1:111111111111:key/abc', `arn:aws:kms:us-east-1:111111111111:key/${'0'.repeat(64)}`, 'arn:aws-cn:kms:us-east-1:111111111111:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0']) {
      expect(() => resolveEnrollment({ KeyArn: key, BucketName: 'b-1' }, MEMBER, readSettings({}))).toThrow(/KeyArn/);
    }
    expect(resolveEnrollment({ KeyArn: 'arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/mrk-0123456789abcdef0123456789abcdef', BucketName: 'b-1' }, MEMBER, readSettings({})).key.region).toBe('us-gov-west-1');
    expect(resolveEnrollment({ KeyArn: 'arn:aws-cn:kms:cn-north-1:111111111111:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', BucketName: 'b-1' }, MEMBER, readSettings({})).key.partition).toBe('aws-cn');
  });

  it('refuse an id over 1,024 bytes, naming the property that is too long', () => {
    const huge = { ...enrollment, trailArn: `arn:aws:cloudtrail:us-east-1:222222222222:trail/${'t'.repeat(1000)}` };
    expect(() => physicalIdOf(huge)).toThrow(/TrailArn/);
    expect(() => physicalIdOf({ ...enrollment, logFilePrefix: '%'.repeat(400) })).toThrow(/LogFilePrefix/);
  });

  it('read ids with duplicate or unknown fields as nothing enrolled', () => {
    const id = physicalIdOf(enrollment);
    expect(enrollmentOfPhysicalId(`${id};bucket=other-bucket`)).toBeUndefined();
    expect(enrollmentOfPhysicalId(`${id};extra=1`)).toBeUndefined();
    expect(enrollmentOfPhysicalId(id.replace(';trail=', ';trail=;trail='))).toBeUndefined();
  });

  it('read a failed Create id and foreign ids as nothing enrolled', () => {
    expect(enrollmentOfPhysicalId(notEnrolledId(MEMBER, 'req-1'))).toBeUndefined();
    expect(enrollmentOfPhysicalId('my-custom-id')).toBeUndefined();
    expect(enrollmentOfPhysicalId(`${MEMBER};bucket=UPPER;prefix=;key=${KEY_ARN};trail=`)).toBeUndefined();
  });
});

describe('POLICY_LAYOUT (R2, R34)', () => {
  it('defaults to resource-list and accepts account-list', () => {
    expect(settings().policyLayout).toBe('resource-list');
    expect(settings({ POLICY_LAYOUT: 'account-list' }).policyLayout).toBe('account-list');
    expect(settings({ POLICY_LAYOUT: ' resource-list ' }).policyLayout).toBe('resource-list');
  });

  it.each([['Account-List'], ['accounts'], ['resource-list,account-list']])('refuses %j with a sentence naming the variable', (value) => {
    expect(() => settings({ POLICY_LAYOUT: value })).toThrow(new OperatorError(`The function setting POLICY_LAYOUT '${value}' is not a policy layout; set it to resource-list or account-list, or leave it empty for resource-list.`));
  });
});

describe('log file prefixes (R33)', () => {
  const refused = ['AWSLogs/222222222222', 'org/AWSLogs', 'a/AWSLogs/b', '${aws:username}', 'logs/${x}', '..', 'a/../b', './a', 'a/.', ' org', 'org ', '\u00a0org', 'org\u3000', '\u200borg', 'a//b'];

  it.each(refused)('refuses the property LogFilePrefix %j with a sentence naming it', (prefix) => {
    expect(() => resolveEnrollment({ LogFilePrefix: prefix }, MEMBER, settings())).toThrow(/The property LogFilePrefix/);
  });

  it.each(refused)('refuses TRAIL_LOG_FILE_PREFIX %j, naming the variable', (prefix) => {
    expect(() => readSettings({ TRAIL_LOG_FILE_PREFIX: prefix })).toThrow(/TRAIL_LOG_FILE_PREFIX/);
  });

  // Bidi overrides, zero-width and other format characters, and letters that only look like ASCII ones (R39).
  const notPrintableAscii: Array<[string, string]> = [
    ['\u202Eorg', 'U+202E'],
    ['org\u200Blogs', 'U+200B'],
    ['org\u2066logs\u2069', 'U+2066'],
    ['ex\u0430mple', 'U+0430'],
    ['\uFF21WSLogs/222222222222', 'U+FF21'],
    ['org\u2044AWSLogs', 'U+2044'],
    ['caf\u00e9', 'U+00E9'],
    ['org\u00adlogs', 'U+00AD'],
    ['logs\u{1D5BA}', 'U+1D5BA'],
  ];

  it.each(notPrintableAscii)('refuses %j, naming the character by its code point and never showing it raw', (prefix, codePoint) => {
    for (const attempt of [() => resolveEnrollment({ LogFilePrefix: prefix }, MEMBER, settings()), () => readSettings({ TRAIL_LOG_FILE_PREFIX: prefix })]) {
      let message = '';
      try {
        attempt();
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain(codePoint);
      expect(message).toMatch(/printable ASCII/);
      expect(message).toMatch(/^[\x20-\x7e]+$/);
    }
  });

  it('tells a prefix with a character outside printable ASCII in one sentence naming the source', () => {
    expect(() => resolveEnrollment({ LogFilePrefix: 'org\u200Blogs' }, MEMBER, settings())).toThrow(
      new OperatorError('The property LogFilePrefix "org\\u200blogs" contains U+200B, a character outside printable ASCII that can make the prefix look like another one (bidi controls, zero-width characters and look-alike letters do); use only printable ASCII letters, digits and punctuation.'),
    );
  });

  it.each(['org', 'org/logs', 'awslogs', 'AWSLogsArchive', 'a.b/c..d', 'o rg', '$aws', 'AWSLogs2', '~a-b_c+d=e@f!g(h)'])('admits %j', (prefix) => {
    expect(resolveEnrollment({ LogFilePrefix: prefix }, MEMBER, settings()).logFilePrefix).toBe(prefix);
  });

  it('has template AllowedPatterns that refuse what they can express and admit the rest', () => {
    const root = join(__dirname, '..', '..');
    for (const [file, name] of [['template.yaml', 'TrailLogFilePrefix'], [join('stacksets', 'member-account.yaml'), 'LogFilePrefix']] as const) {
      const text = readFileSync(join(root, file), 'utf8');
      const block = text.slice(text.indexOf(`  ${name}:\n`));
      const raw = /AllowedPattern: '([^']*)'/.exec(block)![1]!.replace(/''/g, "'");
      const pattern = new RegExp(raw);
      for (const prefix of ['AWSLogs/222222222222', 'a/AWSLogs', '${aws:username}', '..', 'a/./b', ' org', 'org ', 'a//b', '/org', 'org/', 'a*b', 'a\tb', ...notPrintableAscii.map(([p]) => p)]) expect([file, prefix, pattern.test(prefix)]).toEqual([file, prefix, false]);
      for (const prefix of ['', 'org', 'org/logs', 'AWSLogsArchive', 'a.b/c..d', 'o rg', '~a-b_c+d=e@f!g(h)']) expect([file, prefix, pattern.test(prefix)]).toEqual([file, prefix, true]);
    }
  });
});

describe('the not-enrolled id without an account (R15, R18)', () => {
  it('names no account when the request names none, and stands for no enrollment', () => {
    expect(notEnrolledId(undefined, 'req-1')).toBe('not-enrolled;req-1');
    expect(enrollmentOfPhysicalId(notEnrolledId(undefined, 'req-1'))).toBeUndefined();
  });
});
