import { OperatorError } from '../core/errors';
import { parsePolicy } from '../core/policy-document';
import { describeConditions } from '../iam/evaluate';
import { mayPublish } from '../iam/publish';
import { Check, failed, listed, pass, splitSentence, warn } from './check';
import { DoctorInput } from './input';

const FIX_PUBLISHERS =
  "Add the role to the stack's PublisherRoleArns parameter (for Customizations for AWS Control Tower arn:<partition>:iam::*:role/AWSControlTowerExecution) with OrganizationId set, and update the stack.";

/**
 * topic-policy: whether the role member StackSets run as, in its organization, may publish to the ServiceToken topic
 * (SPEC R32, R37). A StackSet rollout whose role the topic refuses fails in every account, one instance at a time.
 */
export function topicPolicyCheck({ topic }: DoctorInput): Check {
  if (!topic) {
    return warn('topic-policy', 'Skipped: no --topic was given, so whether member stacks may publish to the ServiceToken topic was not checked.', "Pass --topic with the stack's ServiceToken output, --publisher-role with the role member StackSets run as, and --organization.");
  }
  const { topicArn, publisher } = topic;
  if (!topic.exists) return failed('topic-policy', `The topic ${topicArn} does not exist, so no member stack can send a request.`, "Pass the stack's ServiceToken output as --topic, or deploy template.yaml.");
  const who = `${publisher.roleArn}${publisher.organizationId ? ` in ${publisher.organizationId}` : ' (no --organization given: taken to be in no organization)'}`;
  let policy;
  try {
    policy = topic.policy === undefined ? undefined : parsePolicy(topic.policy, `topic policy of ${topicArn}`);
  } catch (error) {
    if (error instanceof OperatorError) return failed('topic-policy', splitSentence(error.message).message, 'Deploy the topic policy from template.yaml again.');
    throw error;
  }
  const result = mayPublish(policy, topicArn, publisher);
  switch (result.decision) {
    case 'allowed': {
      const through = result.delegatedToAccount ? ", through the grant to its account (whose IAM policies must allow sns:Publish too; a StackSet execution role's do)" : '';
      return pass('topic-policy', `The topic policy of ${topicArn} lets ${who} publish (statement ${listed(result.allowedBy)})${through}.`);
    }
    case 'explicitly-denied':
      return failed('topic-policy', `Statement ${listed(result.deniedBy)} of the topic policy of ${topicArn} denies sns:Publish to ${who}, so its stacks' requests never arrive.`, 'Narrow that Deny so it spares the StackSet execution role of the channel you deploy through.');
    case 'implicitly-denied': {
      const unmet = result.unmet[0];
      const why = unmet ? `: statement ${unmet.statement} requires ${describeConditions(unmet.conditions)}, which the role does not meet` : ': no statement admits it';
      return failed('topic-policy', `The topic policy of ${topicArn} does not let ${who} publish${why}, so every stack instance it deploys would fail.`, FIX_PUBLISHERS);
    }
    default:
      return warn('topic-policy', `Whether ${who} may publish to ${topicArn} depends on statement ${listed(result.undecided)}, whose conditions doctor does not evaluate.`, 'Check that statement by hand, or publish a test message as that role.');
  }
}
