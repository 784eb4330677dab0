import { describe, expect, it } from 'vitest';
import { backoffMs, verdictFor, type Answer } from '../../src/send/answer.js';
import { TokenCache } from '../../src/send/tokenCache.js';
import { ConfigError } from '../../src/errors.js';
import { fakeClock } from '../support/fakeClock.js';

const error = (status: number, code: number): Answer => ({ kind: 'error', status, code, msg: 'x' });

describe('verdictFor', () => {
  it('reads the documented codes', () => {
    expect(verdictFor({ kind: 'ok', status: 200, id: '1' })).toBe('done');
    expect(verdictFor(error(429, 99991400))).toBe('rateLimited');
    expect(verdictFor(error(400, 99991400))).toBe('rateLimited'); // older APIs: the code, not the status, says it
    for (const code of [99991661, 99991663, 99991665, 99991671]) expect(verdictFor(error(400, code))).toBe('renewToken');
    expect(verdictFor(error(500, 1002001))).toBe('transient');
    expect(verdictFor(error(502, 502))).toBe('transient');
    expect(verdictFor({ kind: 'network', code: 'ECONNRESET', msg: 'reset' })).toBe('transient');
    expect(verdictFor(error(400, 1002002))).toBe('rejected');
    for (const code of [99991672, 99991401, 99991403, 99991662, 99991673, 99991676]) expect(verdictFor(error(400, code))).toBe('fatal');
    // About app_access_tokens and user authorization, which this tool never sends: a refusal of the record.
    for (const code of [99991664, 99991679]) expect(verdictFor(error(400, code))).toBe('rejected');
  });
});

describe('backoffMs', () => {
  it('doubles per attempt, with jitter in the upper half, capped', () => {
    expect(backoffMs(1, () => 0)).toBe(250);
    expect(backoffMs(1, () => 1)).toBe(500);
    expect(backoffMs(3, () => 1)).toBe(2000);
    expect(backoffMs(20, () => 1)).toBe(30_000);
  });
});

describe('TokenCache', () => {
  it('fetches once for concurrent callers, renews in the background before expiry, and at once after a refusal', async () => {
    const clock = fakeClock();
    let fetches = 0;
    const cache = new TokenCache(async () => ({ token: `t-${++fetches}`, expire: 7200 }), clock);
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual(['t-1', 't-1', 't-1']);
    clock.advance(7200_000 - 300_001);
    expect(await cache.get()).toBe('t-1');
    expect(fetches).toBe(1);
    clock.advance(2);
    // Due for renewal but still valid: callers keep the old token while the new one is fetched.
    expect(await cache.get()).toBe('t-1');
    expect(fetches).toBe(2);
    expect(await cache.get()).toBe('t-2');
    cache.refused('t-1'); // an old token refused: the current one stays
    expect(await cache.get()).toBe('t-2');
    cache.refused('t-2');
    expect(await cache.get()).toBe('t-3');
    expect(fetches).toBe(3);
    expect(cache.renewals).toBe(2);
  });

  it('renews a short-lived token with a fifth of its life to spare, and waits for a new one once it has expired', async () => {
    const clock = fakeClock();
    let fetches = 0;
    const cache = new TokenCache(async () => ({ token: `t-${++fetches}`, expire: 10 }), clock);
    await cache.get();
    clock.advance(7_999);
    expect(await cache.get()).toBe('t-1');
    expect(fetches).toBe(1);
    clock.advance(1);
    expect(await cache.get()).toBe('t-1');
    expect(fetches).toBe(2);
    expect(await cache.get()).toBe('t-2');
    clock.advance(10_000); // t-2 has expired: wait for a new one
    expect(await cache.get()).toBe('t-3');
  });

  it('passes on refused credentials and tries again on the next call', async () => {
    let fail = true;
    const cache = new TokenCache(async () => {
      if (fail) throw new ConfigError('refused');
      return { token: 't-ok', expire: 7200 };
    }, fakeClock());
    await expect(cache.get()).rejects.toThrow(ConfigError);
    fail = false;
    expect(await cache.get()).toBe('t-ok');
  });
});
