import { Redis } from 'ioredis';

/**
 * Producers fail fast when Redis is away (the outbox relay catches up later); BullMQ workers
 * need maxRetriesPerRequest: null and wait for Redis to come back.
 */
export function createRedis(url: string, kind: 'producer' | 'worker', name = `paygate-${kind}`): Redis {
  return new Redis(url, {
    connectionName: name,
    lazyConnect: false,
    ...(kind === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 }
      : { maxRetriesPerRequest: null }),
  });
}
