import { z } from 'zod';
import { recheckReceipts } from '../services/receipts/recheck-receipts';
import { defineJob } from './definition';

export const RECHECK_RECEIPTS_EVERY_MS = 60_000;

export const recheckReceiptsJob = defineJob({ name: 'recheck-receipts', queue: 'maintenance', schema: z.unknown(), every: RECHECK_RECEIPTS_EVERY_MS, handler: (deps) => recheckReceipts(deps) });
