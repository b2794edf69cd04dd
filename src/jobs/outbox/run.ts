// The common part of every outbox job: the job carries only the outbox key, the row is the truth.
// A row already DONE is skipped; a failure is counted on the row (the relay gives up on it after
// MAX_OUTBOX_ATTEMPTS, leaving it PENDING and logged for a person).
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import type { Deps } from '../../context';
import type { Outbox } from '../../generated/prisma/client';
import type { OutboxKind } from '../../services/outbox/outbox';
import { defineJob } from '../definition';

export const outboxJobPayload = z.object({ key: z.string().min(1).max(200) });

export function defineOutboxJob<P extends z.ZodTypeAny>(kind: OutboxKind, rowPayload: P, carryOut: (deps: Deps, row: Outbox, payload: z.infer<P>) => Promise<string>) {
  return defineJob({
    name: kind,
    queue: 'outbox',
    schema: outboxJobPayload,
    async handler(deps, { key }) {
      const row = await deps.db.outbox.findUnique({ where: { key } });
      if (!row) throw new UnrecoverableError(`outbox row ${key} not found`);
      if (row.status === 'DONE') return 'already-done';
      const payload = rowPayload.safeParse(row.payload);
      if (!payload.success) throw new UnrecoverableError(`outbox row ${key} has a malformed payload`);
      try {
        return await carryOut(deps, row, payload.data);
      } catch (err) {
        await deps.db.outbox.update({ where: { key }, data: { attempts: { increment: 1 }, lastError: String((err as Error).message).slice(0, 1000) } });
        throw err;
      }
    },
  });
}
