import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { upsertClub } from '../services/clubs/upsert-club';
import { Club, ClubInput } from './club.types';
import { serviceCtx, type GqlContext } from './context';

@Resolver(() => Club)
export class ClubResolver {
  @Authorized('ADMIN')
  @Mutation(() => Club)
  upsertClub(@Arg('input', () => ClubInput) input: ClubInput, @Ctx() ctx: GqlContext): Promise<Club> {
    return upsertClub(serviceCtx(ctx), input);
  }
}
