// A card token from a gateway's word, made safe before the book sees it: sealed (AES-256-GCM,
// bound to the saved method's row, its gateway and its client) and fingerprinted when the payer agreed to save the card,
// dropped otherwise. The event that goes on carries no token either way.
import type { SealedCard } from '../../domain/book';
import type { GatewayEvent } from '../../domain/gateway-events';
import { newId } from '../../domain/ids';
import type { SecretBox } from '../../security/secret-box';

/**
 * Associated data binding a sealed card token to its saved method's row, gateway and client: a
 * ciphertext copied into another row (or a row moved to another gateway or client) does not open.
 * JSON, because a client id may hold ':'.
 */
export const cardTokenAad = (m: { id: string; gatewayId: string; clientId: string }) => JSON.stringify(['SavedPaymentMethod', m.id, m.gatewayId, m.clientId, 'token']);
export const cardFingerprint = (secrets: SecretBox, gatewayId: string, token: string) => secrets.fingerprint(token, `card-token:${gatewayId}`);

/** "MM/YY" → the last millisecond of that month (UTC); null when it is not a month. */
export function endOfExpiryMonth(expiry: string | undefined): Date | null {
  const m = /^(0[1-9]|1[0-2])\/(\d{2})$/.exec(expiry ?? '');
  return m ? new Date(Date.UTC(2000 + Number(m[2]), Number(m[1]), 1) - 1) : null;
}

type Word = Exclude<GatewayEvent, { kind: 'ignored' | 'subscription' }>;

export function withoutToken<E extends Word>(event: E): E {
  if (!('token' in event) || event.token === undefined) return event;
  const { token: _dropped, ...rest } = event as E & { token?: unknown };
  return rest as E;
}

/**
 * The sealed card of an event, when there is one to keep: the payment has the payer's consent and
 * the gateway sent a token with a readable expiry. Undefined otherwise (the token goes no further).
 * Sealed for the payment's client, the one the saved method is kept for.
 */
export function sealedCardOf(secrets: SecretBox, gatewayId: string, payment: { saveCard: boolean; clientId: string } | undefined, event: Word): SealedCard | undefined {
  if (!payment?.saveCard || (event.kind !== 'confirmed' && event.kind !== 'authorized') || !event.token) return undefined;
  const expiresAt = endOfExpiryMonth(event.token.expiry);
  if (!expiresAt) return undefined;
  const id = newId('pm');
  return {
    id,
    fingerprint: cardFingerprint(secrets, gatewayId, event.token.token),
    tokenEncrypted: secrets.seal(event.token.token, cardTokenAad({ id, gatewayId, clientId: payment.clientId })),
    firstSix: event.card?.firstSix,
    lastFour: event.card?.lastFour,
    brand: event.card?.type,
    expiresAt,
  };
}
