import { formatAmount } from '../../domain/money';

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

export function toClientView(row: {
  id: string; clubId: string | null; name: string | null; email: string | null; phone: string | null;
  isActive: boolean; currency: string; balance: { toString(): string }; createdAt: Date;
}): ClientView {
  return {
    id: row.id,
    clubId: row.clubId,
    name: row.name,
    email: row.email,
    phone: row.phone,
    isActive: row.isActive,
    currency: row.currency,
    balance: formatAmount(row.balance, row.currency),
    createdAt: row.createdAt,
  };
}
