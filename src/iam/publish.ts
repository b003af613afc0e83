import { PolicyDocument } from '../core/policy-document';
import { AccessRequest, evaluate, Evaluation } from './evaluate';

/**
 * Who publishes a CloudFormation request to the ServiceToken topic: the role a member's StackSet runs as
 * (stacksets-exec-…, AWSCloudFormationStackSetExecutionRole, AWSControlTowerExecution, …) and the organization
 * its account belongs to, if any.
 */
export interface Publisher {
  /** arn:<partition>:iam::<account>:role/<path/name>: aws:PrincipalArn of the role's sessions. */
  roleArn: string;
  organizationId?: string;
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):role\/[\w+=,.@/-]+$/;

export function isRoleArn(value: string): boolean {
  return ROLE_ARN.test(value);
}

/** sns:Publish on the topic by a session of the role, with the request context IAM builds for it. */
export function publishRequest(topicArn: string, publisher: Publisher): AccessRequest {
  const account = ROLE_ARN.exec(publisher.roleArn)?.[2] ?? '';
  return {
    caller: { kind: 'aws', arn: publisher.roleArn },
    action: 'sns:Publish',
    resource: topicArn,
    context: {
      'aws:PrincipalArn': publisher.roleArn,
      'aws:PrincipalAccount': account,
      'aws:PrincipalType': 'AssumedRole',
      'aws:PrincipalIsAWSService': 'false',
      'aws:SecureTransport': 'true',
      ...(publisher.organizationId ? { 'aws:PrincipalOrgID': publisher.organizationId } : {}),
    },
  };
}

/**
 * Whether the topic policy lets the publisher publish. `allowed` with `delegatedToAccount` means the policy leaves it
 * to the publisher account's IAM policies (a StackSet execution role has AdministratorAccess, so they allow it).
 */
export function mayPublish(policy: PolicyDocument | undefined, topicArn: string, publisher: Publisher): Evaluation {
  return evaluate(policy, publishRequest(topicArn, publisher));
}
