import { OperatorError } from '../../src/core/errors';
import { enrollInKeyPolicy, keyEnrollmentGaps, removeFromKeyPolicy } from '../../src/core/key-policy';
import { toCompactJson } from '../../src/core/policy-document';
import { consoleKeyPolicy, keyTarget, member, MEMBER, others, OTHER, statement } from './helpers';

const ENCRYPT = 'Allow CloudTrail to encrypt logs';
const CONTEXT = 'kms:EncryptionContext:aws:cloudtrail:arn';
const pattern = (account: string, partition = 'aws') => `arn:${partition}:cloudtrail:*:${account}:trail/*`;
const patterns = (document: ReturnType<typeof consoleKeyPolicy>) => statement(document, ENCRYPT).Condition!.StringLike![CONTEXT];

describe('enrolling an account in the key policy', () => {
  it('turns the console string into a list with the member last and leaves the other five statements alone', () => {
    const before = consoleKeyPolicy();
    const after = enrollInKeyPolicy(before, keyTarget(), member());
    expect(patterns(after)).toEqual([pattern('111111111111'), pattern(MEMBER)]);
    expect(others(after, ENCRYPT)).toEqual(others(before, ENCRYPT));
    expect(after.Statement.map((s) => s.Sid)).toEqual(before.Statement.map((s) => s.Sid));
    expect(after.Id).toBe('Key policy created by CloudTrail');
  });

  it('never touches the decrypt statements that carry the same encryption-context key', () => {
    const after = enrollInKeyPolicy(consoleKeyPolicy(), keyTarget(), member());
    const decrypt = statement(after, 'Allow principals in the account to decrypt log files');
    expect(decrypt.Condition!.StringLike![CONTEXT]).toBe(pattern('111111111111'));
    expect(toCompactJson(removeFromKeyPolicy(after, keyTarget(), member()))).not.toContain(`"${pattern(MEMBER)}"`);
  });

  it('writes no change for an account already listed', () => {
    const once = enrollInKeyPolicy(consoleKeyPolicy(), keyTarget(), member());
    expect(toCompactJson(enrollInKeyPolicy(once, keyTarget(), member()))).toBe(toCompactJson(once));
  });

  it('uses the key partition', () => {
    const after = enrollInKeyPolicy(consoleKeyPolicy(), keyTarget(), member(MEMBER, { partition: 'aws-us-gov' }));
    expect(patterns(after)).toContain(pattern(MEMBER, 'aws-us-gov'));
  });

  it('adds the documented statement when the key policy has none', () => {
    const before = consoleKeyPolicy();
    before.Statement = before.Statement.filter((s) => s.Sid !== ENCRYPT);
    const after = enrollInKeyPolicy(before, keyTarget(), member());
    expect(after.Statement.at(-1)).toEqual({
      Sid: ENCRYPT,
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringLike: { [CONTEXT]: [pattern(MEMBER)] } },
    });
  });

  it('leaves a statement without an encryption-context condition as it is: it admits every trail already', () => {
    const before = consoleKeyPolicy();
    delete statement(before, ENCRYPT).Condition;
    const after = enrollInKeyPolicy(before, keyTarget(), member());
    expect(toCompactJson(after)).toBe(toCompactJson(before));
    expect(keyEnrollmentGaps(after, keyTarget(), member())).toEqual([]);
  });

  it('lists TrailArn under an equals-operator on the encryption-context key, and refuses without it', () => {
    const before = consoleKeyPolicy();
    const s = statement(before, ENCRYPT);
    s.Condition = { StringEquals: { [CONTEXT]: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/main' } };
    expect(() => enrollInKeyPolicy(before, keyTarget(), member())).toThrow(/set the TrailArn property/);
    const trail = `arn:aws:cloudtrail:eu-west-1:${MEMBER}:trail/org`;
    const after = enrollInKeyPolicy(before, keyTarget(), member(MEMBER, { trailArn: trail }));
    expect(statement(after, ENCRYPT).Condition!.StringEquals![CONTEXT]).toEqual(['arn:aws:cloudtrail:us-east-1:111111111111:trail/main', trail]);
    expect(toCompactJson(removeFromKeyPolicy(after, keyTarget(), member(MEMBER, { trailArn: trail })))).toBe(toCompactJson({ ...before, Statement: before.Statement.map((x) => (x.Sid === ENCRYPT ? { ...x, Condition: { StringEquals: { [CONTEXT]: ['arn:aws:cloudtrail:us-east-1:111111111111:trail/main'] } } } : x)) }));
  });

  it('refuses a Deny that names the member pattern', () => {
    const before = consoleKeyPolicy();
    before.Statement.push({ Sid: 'NoMember', Effect: 'Deny', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:GenerateDataKey*', Resource: '*', Condition: { StringLike: { [CONTEXT]: pattern(MEMBER) } } });
    expect(() => enrollInKeyPolicy(before, keyTarget(), member())).toThrow(OperatorError);
  });
});

describe('removing an account from the key policy', () => {
  it('returns the policy to its meaning before enrollment', () => {
    const enrolled = enrollInKeyPolicy(enrollInKeyPolicy(consoleKeyPolicy(), keyTarget(), member()), keyTarget(), member(OTHER));
    const after = removeFromKeyPolicy(enrolled, keyTarget(), member());
    expect(patterns(after)).toEqual([pattern('111111111111'), pattern(OTHER)]);
  });

  it('drops the statement with its last pattern but keeps every other statement', () => {
    const before = consoleKeyPolicy();
    statement(before, ENCRYPT).Condition!.StringLike![CONTEXT] = [pattern(MEMBER)];
    const after = removeFromKeyPolicy(before, keyTarget(), member());
    expect(after.Statement.map((s) => s.Sid)).toEqual(before.Statement.filter((s) => s.Sid !== ENCRYPT).map((s) => s.Sid));
  });

  it('refuses to leave a key policy with no statement at all', () => {
    const before = { Version: '2012-10-17', Statement: [consoleKeyPolicy().Statement[1]!] };
    before.Statement[0]!.Condition!.StringLike![CONTEXT] = pattern(MEMBER);
    expect(() => removeFromKeyPolicy(before, keyTarget(), member())).toThrow(/no statement at all/);
  });
});

describe('Deny statements in the key policy (R14)', () => {
  const withDeny = (condition: Record<string, Record<string, string | string[]>>, extra: Record<string, unknown> = {}) => {
    const document = consoleKeyPolicy();
    document.Statement.push({ Sid: 'Guard', Effect: 'Deny', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:*', Resource: '*', Condition: condition, ...extra });
    return document;
  };

  it('refuses a Deny on every trail but the listed ones, and one whose wildcard covers the member', () => {
    expect(() => enrollInKeyPolicy(withDeny({ StringNotLike: { [CONTEXT]: pattern('111111111111') } }), keyTarget(), member())).toThrow(/statement "Guard"/);
    expect(() => enrollInKeyPolicy(withDeny({ StringLike: { [CONTEXT]: 'arn:aws:cloudtrail:*:2222*' } }), keyTarget(), member())).toThrow(/statement "Guard"/);
  });

  it('ignores a Deny for other accounts, a TLS-only Deny and a Deny on other actions', () => {
    expect(() => enrollInKeyPolicy(withDeny({ StringLike: { [CONTEXT]: pattern(OTHER) } }), keyTarget(), member())).not.toThrow();
    expect(() => enrollInKeyPolicy(withDeny({ Bool: { 'aws:SecureTransport': 'false' } }), keyTarget(), member())).not.toThrow();
    expect(() => enrollInKeyPolicy(withDeny({}, { Action: 'kms:ScheduleKeyDeletion' }), keyTarget(), member())).not.toThrow();
  });
});
