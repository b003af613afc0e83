// The ServiceToken topic policy of template.yaml (SPEC R32), resolved for given parameters as CloudFormation would
// deploy it, evaluated by an IAM policy simulator (@cloud-copilot/iam-simulate) for sns:Publish by various callers.
// Every caller has an allow-everything identity policy (the StackSet execution role has AdministratorAccess), so the
// topic policy alone decides. The caller's aws:PrincipalArn is its role ARN, as IAM puts it in the request context
// for an assumed-role session.
import { runSimulation } from '@cloud-copilot/iam-simulate';
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

async function publish(parameters: Record<string, string>, caller: Caller): Promise<string> {
  const account = caller.role.split(':')[4]!;
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resolveIntrinsics(template, topicPolicy.Properties.PolicyDocument, parameters),
      request: {
        action: 'sns:Publish',
        principal: caller.role,
        resource: { accountId: OWNER, resource: TOPIC_ARN },
        contextVariables: { 'aws:PrincipalArn': caller.role, 'aws:PrincipalAccount': account, ...(caller.org ? { 'aws:PrincipalOrgID': caller.org } : {}) },
      },
    },
    {},
  );
  if (result.resultType !== 'single') throw new Error(`unexpected simulation result: ${JSON.stringify(result).slice(0, 500)}`);
  return result.overallResult;
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
    ])('lets %s publish', async (_, caller) => {
      expect(await publish(parameters, caller)).toBe('Allowed');
    });

    it.each([
      ['an administrator role of a member', memberAdmin],
      ['a member role whose name only contains stacksets-exec', lookalike],
      ['a role of the self-managed name under another path', pathed],
      ['an execution role of an account in another organization', outsideOrg],
      ['an execution role of an account in no organization', noOrg],
    ])('refuses %s', async (_, caller) => {
      expect(await publish(parameters, caller)).not.toBe('Allowed');
    });
  });

  it('with PublisherRoleArns set, admits those roles instead of the defaults', async () => {
    const parameters = { OrganizationId: ORG, PublisherRoleArns: `arn:aws:iam::*:role/custom/*` };
    expect(await publish(parameters, pathed)).toBe('Allowed');
    expect(await publish(parameters, serviceManagedExec)).not.toBe('Allowed');
  });

  describe('without OrganizationId', () => {
    it('lets the owner account publish', async () => {
      expect(await publish({}, owner)).toBe('Allowed');
    });

    it.each([
      ['a service-managed StackSet execution role of another account', serviceManagedExec],
      ['the self-managed StackSet execution role of another account', selfManagedExec],
      ['a principal outside any organization', noOrg],
    ])('refuses %s', async (_, caller) => {
      expect(await publish({}, caller)).not.toBe('Allowed');
    });
  });
});
