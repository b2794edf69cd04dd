// The CloudPayments API client against a loopback stand-in: Basic auth, the envelope, and retries
// only where repeating is safe.
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { cpRequest } from '../../src/gateways/cloudpayments/api';
import { GatewayError, type AdapterEnv } from '../../src/gateways/types';

describe('CloudPayments API client', () => {
  let server: FastifyInstance;
  let env: AdapterEnv;
  const seen: Array<{ path: string; requestId?: string; auth?: string }> = [];
  let failuresLeft = 0;

  beforeAll(async () => {
    server = Fastify();
    server.post('/*', async (request, reply) => {
      seen.push({ path: request.url, requestId: request.headers['x-request-id'] as string | undefined, auth: request.headers.authorization });
      if (request.headers.authorization !== `Basic ${Buffer.from('pk_1:secret').toString('base64')}`) return reply.status(401).send();
      if (failuresLeft > 0) {
        failuresLeft--;
        return reply.status(503).send('busy');
      }
      return { Success: true, Message: null, Model: { Id: 'order_1' } };
    });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.server.address() as { port: number };
    env = { baseUrl: `http://127.0.0.1:${port}`, publicUrl: 'http://127.0.0.1', log: pino({ level: 'silent' }) };
  });
  afterAll(() => server.close());
  beforeEach(() => {
    seen.length = 0;
    failuresLeft = 0;
  });

  const creds = { gatewayId: 'gw_1', publicId: 'pk_1', apiSecret: 'secret', twoStage: false };

  it('retries a mutating call with the same X-Request-ID', async () => {
    failuresLeft = 2;
    const res = await cpRequest<{ Id: string }>(env, creds, 'orders/create', { Amount: 1 }, { requestId: 'create-pay_1' });
    expect(res.Model?.Id).toBe('order_1');
    expect(seen.map((s) => s.requestId)).toEqual(['create-pay_1', 'create-pay_1', 'create-pay_1']);
  });

  it('retries a read-only call', async () => {
    failuresLeft = 1;
    await cpRequest(env, creds, 'v2/payments/find', { InvoiceId: 'pay_1' });
    expect(seen).toHaveLength(2);
  });

  it('never repeats a mutating call that has no X-Request-ID', async () => {
    failuresLeft = 1;
    await expect(cpRequest(env, creds, 'payments/void', { TransactionId: 1 })).rejects.toThrow(GatewayError);
    expect(seen).toHaveLength(1);
  });

  it('gives up after a bounded number of attempts', async () => {
    failuresLeft = 10;
    await expect(cpRequest(env, creds, 'v2/payments/find', {})).rejects.toMatchObject({ retryable: true });
    expect(seen).toHaveLength(3);
  });

  it('refused credentials are not retried', async () => {
    await expect(cpRequest(env, { ...creds, apiSecret: 'wrong' }, 'test', {})).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/401/) });
    expect(seen).toHaveLength(1);
  });
});
