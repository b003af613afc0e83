import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { explainAwsError } from './aws-errors';
import { withRetries } from './retry';

/**
 * The ServiceToken topic's policy, for `doctor` (SPEC R37). The CLI bundle only: the handler never reads a topic,
 * and its bundle must not carry the SNS client.
 */
export interface TopicReading {
  exists: boolean;
  /** The topic policy's JSON text; undefined when the topic has none. */
  policy?: string;
}

export async function readTopicPolicy(topicArn: string, region: string, signal: AbortSignal): Promise<TopicReading> {
  const sns = new SNSClient({ region, maxAttempts: 1 });
  try {
    const out = await withRetries(() => sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }), { abortSignal: signal }), signal);
    const policy = out.Attributes?.Policy;
    return { exists: true, ...(policy ? { policy } : {}) };
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFoundException') return { exists: false };
    throw explainAwsError(error, 'sns:GetTopicAttributes', topicArn, region);
  } finally {
    sns.destroy();
  }
}
