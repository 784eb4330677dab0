import { describe, expect, it } from 'vitest';
import { sendsSecretsInClear } from '../../src/send/client.js';
import { Redactor } from '../../src/send/redact.js';

describe('Redactor', () => {
  it('masks the app secret and the tokens it was given, wherever they appear, and whatever looks like a token', () => {
    const redactor = new Redactor(['s3cr3t+with.regex*chars']);
    redactor.add('opaque-token-without-a-known-shape');
    const text =
      'bad request: {"app_secret":"s3cr3t+with.regex*chars"} Authorization: Bearer abc.def-ghi, ' +
      'token=opaque-token-without-a-known-shape; other t-g1044ghJ7W3T2ZZUBQV6OMNAQYD2Z; t-shirt size';
    expect(redactor.redact(text)).toBe(
      'bad request: {"app_secret":"***"} Authorization: Bearer ***, token=***; other ***; t-shirt size',
    );
  });

  it('leaves text without secrets as it is', () => {
    expect(new Redactor(['']).redact('参数错误: external_interview_id is required')).toBe('参数错误: external_interview_id is required');
  });
});

describe('sendsSecretsInClear', () => {
  it('is true for plain http beyond this machine only', () => {
    expect(sendsSecretsInClear('http://open.feishu.example')).toBe(true);
    expect(sendsSecretsInClear('http://10.0.0.5:8787')).toBe(true);
    expect(sendsSecretsInClear('https://open.feishu.cn')).toBe(false);
    expect(sendsSecretsInClear('http://127.0.0.1:8787')).toBe(false);
    expect(sendsSecretsInClear('http://localhost:8787')).toBe(false);
    expect(sendsSecretsInClear('http://[::1]:8787')).toBe(false);
  });
});
