// Structured logs (SPEC R20): one JSON line locally; under Lambda's JSON log format, the record as an object so
// the runtime nests it as `message` and Logs Insights can query its fields.
import { log } from '../../src/log';

describe('log', () => {
  const original = process.env.AWS_LAMBDA_LOG_FORMAT;
  let lines: unknown[][];
  let spies: jest.SpyInstance[];
  beforeEach(() => {
    lines = [];
    spies = [jest.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a)), jest.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a))];
  });
  afterEach(() => {
    spies.forEach((s) => s.mockRestore());
    if (original === undefined) delete process.env.AWS_LAMBDA_LOG_FORMAT;
    else process.env.AWS_LAMBDA_LOG_FORMAT = original;
  });

  it('writes one JSON line per record by default', () => {
    delete process.env.AWS_LAMBDA_LOG_FORMAT;
    log.info('enrolled', { accountId: '222222222222' });
    expect(lines).toEqual([['{"level":"INFO","message":"enrolled","accountId":"222222222222"}']]);
  });

  it('hands Lambda the record as one object when the function logs in JSON format', () => {
    process.env.AWS_LAMBDA_LOG_FORMAT = 'JSON';
    log.error('reconcile failed', { step: 'reading the key policy' });
    expect(lines).toEqual([[{ level: 'ERROR', message: 'reconcile failed', step: 'reading the key policy' }]]);
  });
});
