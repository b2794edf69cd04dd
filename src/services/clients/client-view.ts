import { formatAmount } from '../../domain/money';
import type { Environment } from '../../generated/prisma/enums';
import { BALANCE_FIELD } from '../ledger/post';

export interface ClientView {
  id: string;
  clubId: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  isActive: boolean;
  currency: string;
  balance: string;
  createdAt: Date;
}

/** The client as a key of `env` sees it: that environment's balance. */
export function toClientView(row: {
  id: string; clubId: string | null; name: string | null; email: string | null; phone: string | null;
  isActive: boolean; currency: string; balance: { toString(): string }; testBalance: { toString(): string }; createdAt: Date;
}, env: Environment): ClientView {
  return {
    id: row.id,
    clubId: row.clubId,
    name: row.name,
    email: row.email,
    phone: row.phone,
    isActive: row.isActive,
    currency: row.currency,
    balance: formatAmount(row[BALANCE_FIELD[env]], row.currency),
    createdAt: row.createdAt,
  };
}
