import { isAwaitingAttempt, judgeAttempt, type AttemptFacts } from '../../src/domain/webhook-delivery';

const now = new Date('2026-12-01T12:00:00Z');
const facts = (over: Partial<AttemptFacts>): AttemptFacts => ({
  statusCode: 503, position: 1, retryDelaysMs: [0, 5_000, 300_000], failingSince: now, now, disableAfterMs: 5 * 86_400_000, ...over,
});

describe('one webhook attempt judged', () => {
  it.each([200, 204, 299])('%i is delivered', (statusCode) => {
    expect(judgeAttempt(facts({ statusCode, position: 3 }))).toEqual({ kind: 'delivered', status: 'DELIVERED' });
  });

  it('a failure is tried again after the next wait of the schedule, until the schedule is spent', () => {
    expect(judgeAttempt(facts({ position: 1 }))).toEqual({ kind: 'retry', status: 'PENDING', delayMs: 5_000 });
    expect(judgeAttempt(facts({ position: 2 }))).toEqual({ kind: 'retry', status: 'PENDING', delayMs: 300_000 });
    expect(judgeAttempt(facts({ position: 3 }))).toEqual({ kind: 'given-up', status: 'FAILED' });
    expect(judgeAttempt(facts({ statusCode: null, position: 3 }))).toEqual({ kind: 'given-up', status: 'FAILED' });
  });

  it.each([199, 300, 302, 404, 500])('%i is no delivery', (statusCode) => {
    expect(judgeAttempt(facts({ statusCode })).kind).toBe('retry');
  });

  it('410 Gone disables the endpoint at once', () => {
    expect(judgeAttempt(facts({ statusCode: 410 }))).toEqual({ kind: 'disable-endpoint', status: 'FAILED', reason: 'the endpoint answered 410 Gone' });
  });

  it('a failure streak longer than the limit disables the endpoint; one just at the limit does not', () => {
    const limit = 5 * 86_400_000;
    expect(judgeAttempt(facts({ failingSince: new Date(now.getTime() - limit) })).kind).toBe('retry');
    expect(judgeAttempt(facts({ failingSince: new Date(now.getTime() - limit - 1) }))).toEqual({ kind: 'disable-endpoint', status: 'FAILED', reason: 'every delivery failed for longer than 120 h' });
    // a success ends the streak whatever its length
    expect(judgeAttempt(facts({ statusCode: 200, failingSince: new Date(0) })).kind).toBe('delivered');
  });

  it('only a waiting delivery is attempted, and each attempt once', () => {
    expect(isAwaitingAttempt({ status: 'PENDING', attempts: 2 }, 3)).toBe(true);
    expect(isAwaitingAttempt({ status: 'PENDING', attempts: 3 }, 3)).toBe(false);
    expect(isAwaitingAttempt({ status: 'DELIVERED', attempts: 0 }, 1)).toBe(false);
    expect(isAwaitingAttempt({ status: 'FAILED', attempts: 0 }, 1)).toBe(false);
  });
});
