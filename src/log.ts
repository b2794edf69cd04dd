import pino, { type Logger } from 'pino';

/** Paths pino blanks out wherever they appear in a log line: credentials, signatures, card data. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["content-hmac"]',
  'req.headers["x-content-hmac"]',
  'req.headers["webhook-signature"]',
  'headers.authorization',
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
  'password',
  'cardNumber',
  'cvc',
  'variables.input.apiSecret',
  'variables.input.webhookSecret',
];

export type { Logger };

export function createLogger(options: { level: string; name?: string }): Logger {
  return pino({
    name: options.name ?? 'paygate',
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  });
}
