import { s3Client } from '../../src/aws/clients';
import { perPartition } from '../../src/aws/partition-cache';
import { readSettings, responseUrlExtraHosts } from '../../src/config/settings';

describe('RESPONSE_URL_EXTRA_HOSTS and S3_FORCE_PATH_STYLE (R2)', () => {
  it.each(['localhost:8080', 'http://localhost', 'local host', 'localhost/x', '*.example.com', '-bad.example', 'a..b'])('refuses RESPONSE_URL_EXTRA_HOSTS %j with a sentence naming it', (value) => {
    expect(() => readSettings({ RESPONSE_URL_EXTRA_HOSTS: value })).toThrow(/RESPONSE_URL_EXTRA_HOSTS/);
  });

  it('reads well-formed host names, and admits only those for responses', () => {
    expect(readSettings({ RESPONSE_URL_EXTRA_HOSTS: ' localhost, 127.0.0.1 ,Host.Example' }).responseUrlExtraHosts).toEqual(['localhost', '127.0.0.1', 'host.example']);
    expect(responseUrlExtraHosts({ RESPONSE_URL_EXTRA_HOSTS: 'localhost:8080,127.0.0.1' })).toEqual(['127.0.0.1']);
  });

  it.each(['yes', '1', 'TRUE ', 'on'])('refuses S3_FORCE_PATH_STYLE %j with a sentence naming it', (value) => {
    expect(() => readSettings({ S3_FORCE_PATH_STYLE: value })).toThrow(/S3_FORCE_PATH_STYLE/);
  });

  it('reads S3_FORCE_PATH_STYLE as true, false or unset', () => {
    expect(readSettings({ S3_FORCE_PATH_STYLE: 'true' }).s3ForcePathStyle).toBe(true);
    expect(readSettings({ S3_FORCE_PATH_STYLE: 'false' }).s3ForcePathStyle).toBe(false);
    expect(readSettings({}).s3ForcePathStyle).toBe(false);
  });

  it('builds S3 clients from the setting it is given, not from process.env', async () => {
    const saved = process.env.S3_FORCE_PATH_STYLE;
    process.env.S3_FORCE_PATH_STYLE = 'true';
    try {
      expect(await s3Client('eu-west-3', false).config.forcePathStyle).toBe(false);
      expect(await s3Client('eu-west-3', true).config.forcePathStyle).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.S3_FORCE_PATH_STYLE;
      else process.env.S3_FORCE_PATH_STYLE = saved;
    }
  });
});

describe('per-partition cache of the Organizations client', () => {
  it('keeps one value per partition and forgets a failed load', async () => {
    const calls: string[] = [];
    let failNext = true;
    const load = perPartition(async (partition: string) => {
      calls.push(partition);
      if (failNext) {
        failNext = false;
        throw new Error('load failed');
      }
      return { partition };
    });
    await expect(load('aws')).rejects.toThrow('load failed');
    expect(await load('aws')).toEqual({ partition: 'aws' });
    expect(await load('aws')).toEqual({ partition: 'aws' });
    expect(await load('aws-cn')).toEqual({ partition: 'aws-cn' });
    expect(calls).toEqual(['aws', 'aws', 'aws-cn']);
  });
});
