// The ServiceToken topic policy of template.yaml (SPEC R32), resolved for given parameters as CloudFormation would
// deploy it, evaluated by the project's resource-policy evaluator (src/iam) for sns:Publish by various callers.
// Every caller is a role session whose own IAM policies allow sns:Publish (the StackSet execution role has
// AdministratorAccess), so the topic policy alone decides. The caller's aws:PrincipalArn is its role ARN, as IAM puts
// it in the request context for an assumed-role session.
import { mayPublish } from '../../src/iam/publish';
import { loadTemplate, OWNER, resolveIntrinsics, TOPIC_ARN } from '../support/cfn-template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ORG = 'o-a1b2c3d4e5';
const MEMBER = '222222222222';
const template = loadTemplate('template.yaml');
const topicPolicy: Json = template.Resources.EnrollmentTopicPolicy;

interface Caller {
  role: string;
  /** The caller's organization, or none for an account outside any organization. */
  org?: string;
}

function publish(parameters: Record<string, string>, caller: Caller): string {
  const policy = resolveIntrinsics(template, topicPolicy.Properties.PolicyDocument, parameters);
  return mayPublish(policy, TOPIC_ARN, { roleArn: caller.role, ...(caller.org ? { organizationId: caller.org } : {}) }).decision;
}

const serviceManagedExec: Caller = { role: `arn:aws:iam::${MEMBER}:role/stacksets-exec-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d`, org: ORG };
const selfManagedExec: Caller = { role: `arn:aws:iam::${MEMBER}:role/AWSCloudFormationStackSetExecutionRole`, org: ORG };
const memberAdmin: Caller = { role: `arn:aws:iam::${MEMBER}:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef`, org: ORG };
const lookalike: Caller = { role: `arn:aws:iam::${MEMBER}:role/my-stacksets-exec-copy`, org: ORG };
const pathed: Caller = { role: `arn:aws:iam::${MEMBER}:role/custom/AWSCloudFormationStackSetExecutionRole`, org: ORG };
const outsideOrg: Caller = { role: 'arn:aws:iam::999999999999:role/stacksets-exec-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d', org: 'o-zzzzzzzzzz' };
const noOrg: Caller = { role: 'arn:aws:iam::999999999999:role/AWSCloudFormationStackSetExecutionRole' };
const owner: Caller = { role: `arn:aws:iam::${OWNER}:role/Deployer`, org: ORG };

describe('ServiceToken topic policy, simulated (R32)', () => {
  describe('with OrganizationId', () => {
    const parameters = { OrganizationId: ORG };

    it.each([
      ['a service-managed StackSet execution role of a member', serviceManagedExec],
      ['the self-managed StackSet execution role of a member', selfManagedExec],
      ['a principal of the owner account', owner],
    ])('lets %s publish', (_, caller) => {
      expect(publish(parameters, caller)).toBe('allowed');
    });

    it.each([
      ['an administrator role of a member', memberAdmin],
      ['a member role whose name only contains stacksets-exec', lookalike],
      ['a role of the self-managed name under another path', pathed],
      ['an execution role of an account in another organization', outsideOrg],
      ['an execution role of an account in no organization', noOrg],
    ])('refuses %s', (_, caller) => {
      expect(publish(parameters, caller)).toBe('implicitly-denied');
    });
  });

  it('with PublisherRoleArns set, admits those roles instead of the defaults', () => {
    const parameters = { OrganizationId: ORG, PublisherRoleArns: `arn:aws:iam::*:role/custom/*` };
    expect(publish(parameters, pathed)).toBe('allowed');
    expect(publish(parameters, serviceManagedExec)).toBe('implicitly-denied');
  });

  describe('without OrganizationId', () => {
    it('lets the owner account publish', () => {
      expect(publish({}, owner)).toBe('allowed');
    });

    it.each([
      ['a service-managed StackSet execution role of another account', serviceManagedExec],
      ['the self-managed StackSet execution role of another account', selfManagedExec],
      ['a principal outside any organization', noOrg],
    ])('refuses %s', (_, caller) => {
      expect(publish({}, caller)).toBe('implicitly-denied');
    });
  });
});
