import type { Config } from '../../config';
import type { Environment, GatewayType } from '../../generated/prisma/enums';
import { gatewayAdapter } from '../../gateways/registry';
import { callbackPaths } from '../../gateways/types';

/** A gateway as the API shows it: never a secret. */
export interface GatewayView {
  id: string;
  type: GatewayType;
  environment: Environment;
  isActive: boolean;
  publicId: string;
  description: string | null;
  twoStage: boolean;
  clubIds: string[];
  callbackUrls: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const gatewayViewSelect = {
  id: true,
  type: true,
  environment: true,
  isActive: true,
  publicId: true,
  description: true,
  twoStage: true,
  createdAt: true,
  updatedAt: true,
  clubs: { select: { clubId: true }, orderBy: { clubId: 'asc' } },
} as const;

export function toGatewayView(
  config: Config,
  row: {
    id: string; type: GatewayType; environment: Environment; isActive: boolean; publicId: string; description: string | null; twoStage: boolean;
    createdAt: Date; updatedAt: Date; clubs: { clubId: string }[];
  },
): GatewayView {
  return {
    id: row.id,
    type: row.type,
    environment: row.environment,
    isActive: row.isActive,
    publicId: row.publicId,
    description: row.description,
    twoStage: row.twoStage,
    clubIds: row.clubs.map((c) => c.clubId),
    callbackUrls: callbackPaths(gatewayAdapter(row.type), row.id).map((p) => config.publicUrl + p),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Associated data binding a sealed secret to its gateway row and field. */
export const secretAad = (gatewayId: string, field: 'apiSecret' | 'webhookSecret') => `PaymentGateway:${gatewayId}:${field}`;
