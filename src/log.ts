import pino, { type Logger } from 'pino';

/** Paths pino blanks out wherever they appear in a log line: credentials, signatures, card data. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["api-key"]',
  'req.headers.cookie',
  'req.headers["content-hmac"]',
  'req.headers["x-content-hmac"]',
  'req.headers["webhook-signature"]',
  'headers.authorization',
  'headers["api-key"]',
  'headers["content-hmac"]',
  'headers["x-content-hmac"]',
  '*.authorization',
  '*.apiSecret',
  '*.webhookSecret',
  '*.secret',
  '*.token',
  '*.password',
  '*.cardNumber',
  '*.cardCvc',
  '*.cvc',
  '*.cvv',
  '*.pan',
  '*.CardCryptogramPacket',
  'apiSecret',
  'webhookSecret',
  'secret',
  'token',
  // A gateway's card token (a CloudPayments Pay's Token) and its sealed copy.
  '*.Token',
  'Token',
  '*.tokenEncrypted',
  'password',
  'cardNumber',
  'cvc',
  'variables.input.apiSecret',
  'variables.input.webhookSecret',
];

export type { Logger };

/** A URL as logged: the path, and query parameter names without their values (a key may be sent there). */
export function urlForLog(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = [...new URLSearchParams(url.slice(q + 1)).keys()];
  return `${url.slice(0, q)}?${names.map((n) => `${encodeURIComponent(n)}=[redacted]`).join('&')}`;
}

interface LoggedRequest { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }

export function loggerOptions(level: string, name = 'paygate'): pino.LoggerOptions {
  return {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      err: pino.stdSerializers.err,
      // Fastify's own request serializer, minus query values.
      req: (req: LoggedRequest) => ({ method: req.method, url: urlForLog(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
    },
  };
}

export function createLogger(options: { level: string; name?: string }): Logger {
  return pino(loggerOptions(options.level, options.name));
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = () => undefined;

/**
 * `parent.child(bindings)`, made only when a line is logged at an enabled level: a child with
 * redaction costs more to make than most requests log. Every request gets one (Fastify's and the
 * GraphQL context's), few ever write through it.
 */
export function lazyChild(parent: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
  let child: Logger | undefined;
  const real = () => (child ??= parent.child(bindings, options));
  return new Proxy({} as Logger, {
    get(_target, prop) {
      if (!child && typeof prop === 'string' && LEVELS.has(prop)) {
        // Fastify looks every level method up on every request's logger: hand out functions only.
        return parent.isLevelEnabled(prop) ? (...args: unknown[]) => (real()[prop as pino.Level] as (...a: unknown[]) => void)(...args) : noop;
      }
      if (!child && prop === 'child') return (more: pino.Bindings, moreOptions?: pino.ChildLoggerOptions) => lazyChild(real(), more, moreOptions);
      const logger = real();
      const value = Reflect.get(logger, prop, logger);
      return typeof value === 'function' ? value.bind(logger) : value;
    },
    set(_target, prop, value) {
      return Reflect.set(real(), prop, value);
    },
  });
}
