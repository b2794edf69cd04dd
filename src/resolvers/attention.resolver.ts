import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { ShortfallResolution } from '../generated/prisma/enums';
import { listAttentionItems } from '../services/attention/list-attention';
import { resolveAttentionItem } from '../services/attention/resolve-attention';
import { listShortfalls } from '../services/refunds/list-shortfalls';
import { resolveShortfall } from '../services/refunds/resolve-shortfall';
import { AttentionConnection, AttentionItem, RefundConnection } from './attention.types';
import { serviceCtx, type GqlContext } from './context';
import { Refund } from './payment.types';

/** The back office's work queues: refund shortfalls and everything else that needs a person. */
@Resolver()
export class AttentionResolver {
  @Authorized('VIEWER')
  @Query(() => RefundConnection, { description: 'Refunds that could not take everything back (spent money), newest first. open: true = still short and unresolved; false = resolved; absent = both' })
  shortfalls(
    @Arg('open', () => Boolean, { nullable: true }) open: boolean | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<RefundConnection> {
    return listShortfalls(serviceCtx(ctx), { open, first, after }) as unknown as Promise<RefundConnection>;
  }

  @Authorized('ADMIN')
  @Mutation(() => Refund, { description: 'COLLECTED and WRITTEN_OFF close a shortfall; DEBITED takes what the balance holds now (once per refund), the rest stays open' })
  resolveShortfall(
    @Arg('refundId', () => ID) refundId: string,
    @Arg('how', () => ShortfallResolution) how: ShortfallResolution,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<Refund> {
    return resolveShortfall(serviceCtx(ctx), refundId, how, note) as unknown as Promise<Refund>;
  }

  @Authorized('VIEWER')
  @Query(() => AttentionConnection, { description: 'Newest first. open: true = unresolved; false = resolved; absent = both' })
  attentionItems(
    @Arg('open', () => Boolean, { nullable: true }) open: boolean | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<AttentionConnection> {
    return listAttentionItems(serviceCtx(ctx), { open, first, after }) as unknown as Promise<AttentionConnection>;
  }

  @Authorized('ADMIN')
  @Mutation(() => AttentionItem, { description: 'Close an item with a note (1-2000 characters) of what was done; once. SHORTFALL items close with resolveShortfall' })
  resolveAttentionItem(@Arg('id', () => ID) id: string, @Arg('note', () => String) note: string, @Ctx() ctx: GqlContext): Promise<AttentionItem> {
    return resolveAttentionItem(serviceCtx(ctx), id, note) as unknown as Promise<AttentionItem>;
  }
}
