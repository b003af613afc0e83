import { parseCliArgs } from '../../src/cli/args';

const TOPIC = 'arn:aws:sns:us-east-1:111111111111:cloudtrail-enrollment-EnrollmentTopic-AbCdEfGh1234';
const ROLE = 'arn:aws:iam::222222222222:role/AWSControlTowerExecution';

describe('cloudtrail-enrollment doctor arguments', () => {
  it('takes the targets as status does, plus the topic, the publisher role and the organization', () => {
    expect(parseCliArgs(['doctor', '--bucket', 'b-1', '--table', 't', '--topic', TOPIC, '--publisher-role', ROLE, '--organization', 'o-a1b2c3d4e5', '--json'])).toEqual({
      command: 'doctor',
      bucket: 'b-1',
      table: 't',
      topic: TOPIC,
      publisherRole: ROLE,
      organization: 'o-a1b2c3d4e5',
      json: true,
    });
    expect(parseCliArgs(['doctor'])).toEqual({ command: 'doctor', json: false });
  });

  it.each([
    [['doctor', '--topic', TOPIC], /^--topic needs --publisher-role: /],
    [['doctor', '--publisher-role', ROLE], /pass --topic with the stack's ServiceToken output too\.$/],
    [['doctor', '--topic', 'my-topic', '--publisher-role', ROLE], /^--topic 'my-topic' is not an SNS topic ARN; /],
    [['doctor', '--topic', TOPIC, '--publisher-role', 'arn:aws:iam::*:role/stacksets-exec-*'], /is not an IAM role ARN; give one role in one member account/],
    [['doctor', '--topic', TOPIC, '--publisher-role', ROLE, '--organization', 'r-abcd'], /^--organization 'r-abcd' is not an organization ID; /],
    [['status', '--topic', TOPIC], /^The flag --topic belongs to 'doctor'; /],
    [['doctor', '--all'], /^The flags --account and --all belong to 'handover'; 'doctor' looks at every account\.$/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
