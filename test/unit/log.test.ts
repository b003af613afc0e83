// Structured logs (SPEC R20): one JSON line locally; under Lambda's JSON log format, the record as an object so
// the runtime nests it as `message` and Logs Insights can query its fields.
import { log } from '../../src/log';

describe('log', () => {
  const original = process.env.AWS_LAMBDA_LOG_FORMAT;
  let lines: unknown[][];
  let streams: string[];
  let spies: jest.SpyInstance[];
  beforeEach(() => {
    lines = [];
    streams = [];
    spies = (['log', 'warn', 'error'] as const).map((stream) => jest.spyOn(console, stream).mockImplementation((...a) => {
      lines.push(a);
      streams.push(stream);
    }));
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

  it('writes each level through its own console method, so Lambda records the level it means', () => {
    delete process.env.AWS_LAMBDA_LOG_FORMAT;
    log.info('enrolled');
    log.warn('request ignored');
    log.error('response could not be delivered');
    expect(streams).toEqual(['log', 'warn', 'error']);
    expect(lines.map(([line]) => JSON.parse(String(line)).level)).toEqual(['INFO', 'WARN', 'ERROR']);
  });

  it('hands Lambda the record as one object when the function logs in JSON format', () => {
    process.env.AWS_LAMBDA_LOG_FORMAT = 'JSON';
    log.error('reconcile failed', { step: 'reading the key policy' });
    expect(lines).toEqual([[{ level: 'ERROR', message: 'reconcile failed', step: 'reading the key policy' }]]);
  });
});
