// Golden cases for the resource-policy evaluator (src/iam), each taken from AWS's documented evaluation logic. The
// source page of each group is named above it (docs.aws.amazon.com/IAM/latest/UserGuide/<page>.html).
import { PolicyDocument, Statement } from '../../src/core/policy-document';
import { AccessRequest, Decision, evaluate } from '../../src/iam/evaluate';
import { mayPublish } from '../../src/iam/publish';

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:enroll';
const ROLE = 'arn:aws:iam::222222222222:role/stacksets-exec-0123';
const ORG = 'o-a1b2c3d4e5';

const policy = (...statements: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const allow = (extra: Partial<Statement> = {}): Statement => ({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sns:Publish', Resource: TOPIC, ...extra });
const deny = (extra: Partial<Statement> = {}): Statement => ({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: TOPIC, ...extra });

function publish(context: AccessRequest['context'] = {}, overrides: Partial<AccessRequest> = {}): AccessRequest {
  return { caller: { kind: 'aws', arn: ROLE }, action: 'sns:Publish', resource: TOPIC, context, ...overrides };
}

type Case = [name: string, document: PolicyDocument, request: AccessRequest, expected: Decision];

// reference_policies_evaluation-logic: default deny, an Allow grants, an explicit Deny overrides any Allow.
const evaluationLogic: Case[] = [
  ['no statement: denied by default', policy(), publish(), 'implicitly-denied'],
  ['a matching Allow grants', policy(allow()), publish(), 'allowed'],
  ['an Allow of another action does not grant', policy(allow({ Action: 'sns:Subscribe' })), publish(), 'implicitly-denied'],
  ['an Allow on another resource does not grant', policy(allow({ Resource: `${TOPIC}-other` })), publish(), 'implicitly-denied'],
  ['an explicit Deny overrides an Allow', policy(allow(), deny()), publish(), 'explicitly-denied'],
  ['a Deny whose condition does not hold leaves the Allow', policy(allow(), deny({ Condition: { StringEquals: { 'aws:PrincipalAccount': '999999999999' } } })), publish({ 'aws:PrincipalAccount': '222222222222' }), 'allowed'],
];

// reference_policies_elements_action, _resource, _notaction, _notresource: wildcards, case-insensitive actions.
const actionsAndResources: Case[] = [
  ['action names are case-insensitive', policy(allow({ Action: 'SNS:publish' })), publish(), 'allowed'],
  ['an action wildcard matches', policy(allow({ Action: 'sns:Pub*' })), publish(), 'allowed'],
  ['"?" stands for one character', policy(allow({ Action: 'sns:Publis?' })), publish(), 'allowed'],
  ['NotAction grants every action it does not list', policy(allow({ Action: undefined, NotAction: 'sns:Subscribe' })), publish(), 'allowed'],
  ['NotAction listing the action does not grant it', policy(allow({ Action: undefined, NotAction: 'sns:*' })), publish(), 'implicitly-denied'],
  ['a resource wildcard matches', policy(allow({ Resource: 'arn:aws:sns:*:111111111111:*' })), publish(), 'allowed'],
  ['resources are case-sensitive', policy(allow({ Resource: TOPIC.toUpperCase() })), publish(), 'implicitly-denied'],
  ['NotResource grants every resource it does not list', policy(allow({ Resource: undefined, NotResource: `${TOPIC}-other` })), publish(), 'allowed'],
];

// reference_policies_elements_principal and _notprincipal.
const principals: Case[] = [
  ['"Principal": "*" is everyone', policy(allow({ Principal: '*' })), publish(), 'allowed'],
  ['an account ID names every principal of that account', policy(allow({ Principal: { AWS: '222222222222' } })), publish(), 'allowed'],
  ['the account root ARN names every principal of that account', policy(allow({ Principal: { AWS: 'arn:aws:iam::222222222222:root' } })), publish(), 'allowed'],
  ['another account does not name the caller', policy(allow({ Principal: { AWS: 'arn:aws:iam::333333333333:root' } })), publish(), 'implicitly-denied'],
  ['a role ARN names that role', policy(allow({ Principal: { AWS: ROLE } })), publish(), 'allowed'],
  ['a role ARN names no other role of the account', policy(allow({ Principal: { AWS: 'arn:aws:iam::222222222222:role/Admin' } })), publish(), 'implicitly-denied'],
  ['a service principal names the service', policy(allow({ Principal: { Service: 'cloudtrail.amazonaws.com' } })), publish({}, { caller: { kind: 'service', service: 'cloudtrail.amazonaws.com' } }), 'allowed'],
  ['a service principal names no IAM role', policy(allow({ Principal: { Service: 'cloudtrail.amazonaws.com' } })), publish(), 'implicitly-denied'],
  ['a Deny with NotPrincipal denies everyone it does not name', policy(allow(), deny({ Principal: undefined, NotPrincipal: { AWS: ['arn:aws:iam::222222222222:root', 'arn:aws:iam::222222222222:role/Admin'] } })), publish(), 'explicitly-denied'],
  ['a Deny with NotPrincipal spares a role named with its account', policy(allow(), deny({ Principal: undefined, NotPrincipal: { AWS: ['arn:aws:iam::222222222222:root', ROLE] } })), publish(), 'allowed'],
  ['a Deny with NotPrincipal naming the role but not its account still denies it', policy(allow(), deny({ Principal: undefined, NotPrincipal: { AWS: ROLE } })), publish(), 'explicitly-denied'],
  ['NotPrincipal with Allow is not supported: undecided', policy({ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: 'sns:Publish', Resource: TOPIC }), publish(), 'undetermined'],
];

// reference_policies_elements_condition_operators: a missing key makes a condition false, a negated one true;
// …IfExists is true when the key is missing; Null tests presence; keys are case-insensitive.
const missingKeys: Case[] = [
  ['StringEquals on a missing key is false', policy(allow({ Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } })), publish(), 'implicitly-denied'],
  ['StringNotEquals on a missing key is true', policy(allow(), deny({ Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG } } })), publish(), 'explicitly-denied'],
  ['StringNotLike on a missing key is true', policy(allow({ Condition: { StringNotLike: { 'aws:PrincipalTag/team': 'ops*' } } })), publish(), 'allowed'],
  ['ArnNotLike on a missing key is true', policy(allow({ Condition: { ArnNotLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:*:trail/*' } } })), publish(), 'allowed'],
  ['StringEqualsIfExists on a missing key is true', policy(allow({ Condition: { StringEqualsIfExists: { 'aws:PrincipalOrgID': ORG } } })), publish(), 'allowed'],
  ['StringEqualsIfExists on a present key tests it', policy(allow({ Condition: { StringEqualsIfExists: { 'aws:PrincipalOrgID': ORG } } })), publish({ 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' }), 'implicitly-denied'],
  ['StringNotEqualsIfExists on a missing key is true', policy(allow(), deny({ Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG } } })), publish(), 'explicitly-denied'],
  ['Bool on a missing key is false', policy(allow({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })), publish(), 'implicitly-denied'],
  ['BoolIfExists on a missing key is true', policy(allow({ Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } } })), publish(), 'allowed'],
  ['Null "true" holds when the key is missing', policy(allow({ Condition: { Null: { 'aws:PrincipalOrgID': 'true' } } })), publish(), 'allowed'],
  ['Null "true" fails when the key is present', policy(allow({ Condition: { Null: { 'aws:PrincipalOrgID': 'true' } } })), publish({ 'aws:PrincipalOrgID': ORG }), 'implicitly-denied'],
  ['Null "false" holds when the key is present', policy(allow({ Condition: { Null: { 'aws:PrincipalOrgID': 'false' } } })), publish({ 'aws:PrincipalOrgID': ORG }), 'allowed'],
  ['condition keys are case-insensitive', policy(allow({ Condition: { StringEquals: { 'AWS:principalorgid': ORG } } })), publish({ 'aws:PrincipalOrgID': ORG }), 'allowed'],
  ['StringEquals values are case-sensitive', policy(allow({ Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG.toUpperCase() } } })), publish({ 'aws:PrincipalOrgID': ORG }), 'implicitly-denied'],
  ['StringEqualsIgnoreCase ignores case', policy(allow({ Condition: { StringEqualsIgnoreCase: { 'aws:PrincipalOrgID': ORG.toUpperCase() } } })), publish({ 'aws:PrincipalOrgID': ORG }), 'allowed'],
  ['StringLike takes * and ?', policy(allow({ Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/stacksets-exec-????' } } })), publish({ 'aws:PrincipalArn': ROLE }), 'allowed'],
  ['Bool compares true/false; a JSON boolean counts', policy(allow(), deny({ Principal: '*', Condition: { Bool: { 'aws:SecureTransport': false } } as never })), publish({ 'aws:SecureTransport': 'true' }), 'allowed'],
];

// ARN operators: each of the six colon-separated parts is matched on its own, case-sensitively.
const arns: Case[] = [
  ['ArnLike matches the role pattern', policy(allow({ Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/stacksets-exec-*' } } })), publish({ 'aws:PrincipalArn': ROLE }), 'allowed'],
  ['ArnEquals takes wildcards like ArnLike', policy(allow({ Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/stacksets-exec-*' } } })), publish({ 'aws:PrincipalArn': ROLE }), 'allowed'],
  ['ArnLike is case-sensitive', policy(allow({ Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/StackSets-Exec-*' } } })), publish({ 'aws:PrincipalArn': ROLE }), 'implicitly-denied'],
  ['a * in one ARN part does not reach into the next', policy(allow({ Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/stacksets-exec-*' } } })), publish({ 'aws:PrincipalArn': 'arn:aws:iam::222222222222:user/x:role/stacksets-exec-1' }), 'implicitly-denied'],
  ['a value that is not an ARN does not match', policy(allow({ Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:*:trail/*' } } })), publish({ 'aws:SourceArn': 'trail/t' }), 'implicitly-denied'],
];

// reference_policies_condition-logic-multiple-context-keys-or-values: operators and keys AND, values OR,
// negated values NOR.
const combinations: Case[] = [
  ['several values of a key: any one suffices', policy(allow({ Condition: { StringEquals: { 'aws:PrincipalAccount': ['333333333333', '222222222222'] } } })), publish({ 'aws:PrincipalAccount': '222222222222' }), 'allowed'],
  ['several keys: all must hold', policy(allow({ Condition: { StringEquals: { 'aws:PrincipalAccount': '222222222222', 'aws:PrincipalOrgID': ORG } } })), publish({ 'aws:PrincipalAccount': '222222222222' }), 'implicitly-denied'],
  ['several operators: all must hold', policy(allow({ Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG }, ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Admin' } } })), publish({ 'aws:PrincipalOrgID': ORG, 'aws:PrincipalArn': ROLE }), 'implicitly-denied'],
  ['a negated operator with several values holds only when none matches', policy(allow({ Condition: { StringNotEquals: { 'aws:PrincipalAccount': ['333333333333', '222222222222'] } } })), publish({ 'aws:PrincipalAccount': '222222222222' }), 'implicitly-denied'],
];

// reference_policies_condition-single-vs-multi-valued-context-keys: ForAllValues is true when the key is
// missing and when every request value matches; ForAnyValue is false when it is missing.
const setOperators: Case[] = [
  ['ForAllValues on a missing key is true', policy(allow({ Condition: { 'ForAllValues:StringLike': { 'aws:PrincipalOrgPaths': `${ORG}/r-ab12/*` } } })), publish(), 'allowed'],
  ['ForAnyValue on a missing key is false', policy(allow({ Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${ORG}/r-ab12/*` } } })), publish(), 'implicitly-denied'],
  ['ForAnyValue holds when one request value matches', policy(allow({ Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${ORG}/r-ab12/ou-1/*` } } })), publish({ 'aws:PrincipalOrgPaths': [`${ORG}/r-ab12/ou-9/`, `${ORG}/r-ab12/ou-1/`] }), 'allowed'],
  ['ForAllValues fails when one request value matches nothing', policy(allow({ Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } } })), publish({ 'aws:TagKeys': ['team', 'owner'] }), 'implicitly-denied'],
  ['ForAllValues holds when every request value matches one', policy(allow({ Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } } })), publish({ 'aws:TagKeys': ['env', 'team'] }), 'allowed'],
];

// What this evaluator does not implement is never guessed: the decision is undetermined unless it cannot matter.
const undecidable: Case[] = [
  ['an Allow under an operator it does not implement', policy(allow({ Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } })), publish(), 'undetermined'],
  ['an undecidable Deny next to a granting Allow', policy(allow(), deny({ Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })), publish(), 'undetermined'],
  ['an undecidable Deny with no Allow: denied by default anyway', policy(deny({ Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })), publish(), 'implicitly-denied'],
  ['an ARN pattern with fewer than six parts', policy(allow({ Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:trail/*' } } })), publish({ 'aws:SourceArn': 'arn:aws:cloudtrail:us-east-1:222222222222:trail/t' }), 'undetermined'],
  ['a policy variable in a condition', policy(allow({ Condition: { StringEquals: { 'aws:PrincipalAccount': '${aws:ResourceAccount}' } } })), publish({ 'aws:PrincipalAccount': '222222222222' }), 'undetermined'],
  ['a false condition decides even next to an undecidable one', policy(allow({ Condition: { StringEquals: { 'aws:PrincipalAccount': '333333333333' }, NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } })), publish({ 'aws:PrincipalAccount': '222222222222' }), 'implicitly-denied'],
];

describe('resource-policy evaluator: golden cases from AWS documentation', () => {
  describe.each([
    ['policy evaluation logic', evaluationLogic],
    ['Action, Resource and their Not forms', actionsAndResources],
    ['Principal and NotPrincipal', principals],
    ['missing keys, IfExists, Null, case', missingKeys],
    ['ARN condition operators', arns],
    ['several keys, values and operators', combinations],
    ['ForAllValues and ForAnyValue', setOperators],
    ['what it cannot decide', undecidable],
  ])('%s', (_, cases) => {
    it.each(cases)('%s', (_name, document, request, expected) => {
      expect(evaluate(document, request).decision).toBe(expected);
    });
  });

  it('says when a grant names only the caller\'s account, so its IAM policies must allow too', () => {
    expect(evaluate(policy(allow({ Principal: { AWS: '222222222222' } })), publish()).delegatedToAccount).toBe(true);
    expect(evaluate(policy(allow({ Principal: { AWS: ROLE } })), publish()).delegatedToAccount).toBe(false);
  });

  it('names the conditions an Allow for the caller fails on, and the Deny that refuses it', () => {
    const statements = policy(
      { Sid: 'Org', ...allow({ Condition: { StringEquals: { 'aws:SourceOrgID': ORG }, StringLike: { 'aws:PrincipalArn': '*' } } }) },
      { Sid: 'NoPlainText', ...deny({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } }) },
    );
    expect(evaluate(statements, publish({ 'aws:PrincipalArn': ROLE, 'aws:SecureTransport': 'true' }))).toEqual({
      decision: 'implicitly-denied',
      allowedBy: [],
      deniedBy: [],
      unmet: [{ statement: '"Org"', conditions: [{ operator: 'StringEquals', key: 'aws:SourceOrgID' }] }],
      undecided: [],
      delegatedToAccount: false,
    });
    expect(evaluate(statements, publish({ 'aws:SecureTransport': 'false', 'aws:SourceOrgID': ORG, 'aws:PrincipalArn': ROLE })).deniedBy).toEqual(['"NoPlainText"']);
  });
});

describe('mayPublish', () => {
  const topicPolicy = policy(
    { Sid: 'OwnerAccountPublish', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sns:Publish', Resource: TOPIC },
    { Sid: 'StackSetExecutionRolesPublish', ...allow({ Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG }, ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/stacksets-exec-*', 'arn:aws:iam::*:role/AWSCloudFormationStackSetExecutionRole'] } } }) },
  );

  it.each([
    ['a service-managed execution role in the organization', { roleArn: ROLE, organizationId: ORG }, 'allowed'],
    ['the Control Tower execution role in the organization', { roleArn: 'arn:aws:iam::222222222222:role/AWSControlTowerExecution', organizationId: ORG }, 'implicitly-denied'],
    ['an execution role outside the organization', { roleArn: ROLE }, 'implicitly-denied'],
    ['a role of the owner account, through the account grant', { roleArn: 'arn:aws:iam::111111111111:role/Deployer' }, 'allowed'],
  ] as const)('%s', (_, publisher, expected) => {
    expect(mayPublish(topicPolicy, TOPIC, publisher).decision).toBe(expected);
  });
});
