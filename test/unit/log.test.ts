// lazyChild: a request's logger that costs nothing until a line is written, and writes the same
// lines (bindings, redaction) as the child it stands for.
import { Writable } from 'node:stream';
import pino from 'pino';
import { lazyChild, loggerOptions } from '../../src/log';

function logger(level: string) {
  const lines: any[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  return { log: pino(loggerOptions(level), sink), lines };
}

describe('lazyChild', () => {
  it('makes no child while nothing is logged at an enabled level', () => {
    const { log } = logger('warn');
    const child = jest.spyOn(log, 'child');
    const lazy = lazyChild(log, { reqId: 'r1' });
    lazy.info('not written');
    lazy.debug({ a: 1 }, 'nor this');
    expect([typeof lazy.warn, typeof lazy.error, typeof lazy.fatal]).toEqual(['function', 'function', 'function']); // looked up, not called
    expect(child).not.toHaveBeenCalled();
    lazy.warn('written');
    expect(child).toHaveBeenCalledTimes(1);
  });

  it('writes what the child would: its bindings, with secrets redacted', () => {
    const { log, lines } = logger('info');
    const lazy = lazyChild(log, { reqId: 'r2' });
    lazy.info({ apiSecret: 'sk_live_secret', headers: { authorization: 'Bearer pgk_x' } }, 'hello');
    lazy.child({ step: 2 }).error('again');
    expect(lines).toEqual([
      expect.objectContaining({ reqId: 'r2', msg: 'hello', apiSecret: '[redacted]', headers: { authorization: '[redacted]' } }),
      expect.objectContaining({ reqId: 'r2', step: 2, msg: 'again' }),
    ]);
    expect(lazy.isLevelEnabled('info')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('sk_live_secret');
  });
});
