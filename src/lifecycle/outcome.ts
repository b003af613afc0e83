/** What a request answers CloudFormation (SPEC R18, R21). */
export interface Outcome {
  status: 'SUCCESS' | 'FAILED';
  physicalResourceId: string;
  reason?: string;
  data?: Record<string, string>;
  /** The recorded answer of a request answered before (SPEC R39): sent again, nothing applied. */
  replayed?: boolean;
}
