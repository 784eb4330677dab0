import { describe, expect, it } from 'vitest';
import { OutageWatch, probeIntervalMs } from '../../src/send/outage.js';
import { fakeClock } from '../support/fakeClock.js';

const running = () => new AbortController().signal;

/** A watch whose requests 0..count-1 have just failed once each, at t=0. */
function afterFailures(count: number, maxOutageMs = 15 * 60_000) {
  const clock = fakeClock();
  const stats = { outages: 0, outageMs: 0 };
  const watch = new OutageWatch({ clock, maxOutageMs, stats });
  const requests = Array.from({ length: count }, (_, n) => ({ n }));
  const verdicts = requests.map((request) => watch.failed(request, 'connect ECONNREFUSED 127.0.0.1:9'));
  return { clock, stats, watch, requests, verdicts };
}

describe('OutageWatch', () => {
  it('takes five distinct requests failing in a row for an outage; the fifth failure and later ones cost nothing', () => {
    const { watch, verdicts } = afterFailures(5);
    expect(verdicts).toEqual([false, false, false, false, true]);
    expect(watch.active).toBe(true);
    expect(watch.failed({}, 'reset')).toBe(true);
  });

  it('never takes one record that keeps failing for an outage, however often it fails', () => {
    const watch = new OutageWatch({ clock: fakeClock(), maxOutageMs: 60_000 });
    const lonely = {};
    for (let n = 0; n < 20; n++) expect(watch.failed(lonely, 'HTTP 500')).toBe(false);
    expect(watch.active).toBe(false);
  });

  it('starts counting again after any answer', () => {
    const { watch, requests } = afterFailures(4);
    watch.answered();
    expect(watch.failed(requests[0]!, 'reset')).toBe(false);
    expect(watch.active).toBe(false);
  });

  it('lets everyone go at once when no outage is on', async () => {
    const { watch } = afterFailures(2);
    expect(await watch.admit({}, running())).toBe('send');
  });

  it('probes with one request at a time at 1 s, 2 s, 4 s ..., the waiting requests taking turns, and resumes on an answer', async () => {
    const { clock, stats, watch, requests } = afterFailures(5);
    const admitted = requests.map((request) => watch.admit(request, running()));
    expect(await admitted[0]).toBe('send'); // the first probe, a second later
    expect(clock.now()).toBe(1000);
    watch.failed(requests[0]!, 'connect ECONNREFUSED');
    const again = watch.admit(requests[0]!, running()); // back in the queue, last
    expect(await admitted[1]).toBe('send'); // the next in turn probes, 2 s later
    expect(clock.now()).toBe(3000);
    watch.failed(requests[1]!, 'HTTP 503');
    expect(await admitted[2]).toBe('send');
    expect(clock.now()).toBe(7000);
    watch.answered();
    expect(await Promise.all([admitted[3], admitted[4], again])).toEqual(['send', 'send', 'send']);
    expect(watch.active).toBe(false);
    expect(stats).toEqual({ outages: 1, outageMs: 7000 });
  });

  it('grows the probe interval to a minute at most', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map(probeIntervalMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('tells every waiting request to stop once the outage has lasted --max-outage, counted from the first failure', async () => {
    const { clock, watch, requests } = afterFailures(5, 10_000);
    const admitted = requests.map((request) => watch.admit(request, running()));
    expect(await admitted[0]).toBe('send'); // t = 1 s
    watch.failed(requests[0]!, 'reset');
    expect(await admitted[1]).toBe('send'); // t = 3 s
    watch.failed(requests[1]!, 'reset');
    expect(await admitted[2]).toBe('send'); // t = 7 s; the next probe would be at 15 s
    watch.failed(requests[2]!, 'connect ETIMEDOUT');
    expect(await Promise.all([admitted[3], admitted[4], watch.admit(requests[0]!, running())])).toEqual(['stop', 'stop', 'stop']);
    expect(clock.now()).toBe(10_000);
    expect(watch.lastFailure).toBe('connect ETIMEDOUT');
    expect(await watch.admit({}, running())).toBe('stop'); // and whoever comes later
  });

  it('lets waiting requests go when the caller stops (Ctrl-C, a deadline)', async () => {
    const { watch, requests } = afterFailures(5);
    const stop = new AbortController();
    const first = watch.admit(requests[0]!, stop.signal);
    const second = watch.admit(requests[1]!, stop.signal);
    stop.abort();
    expect(await Promise.all([first, second])).toEqual(['aborted', 'aborted']);
  });
});
