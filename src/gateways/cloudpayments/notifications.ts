// CloudPayments' notification kinds (docs/gateways.md 1.3). SANDBOX speaks the same protocol.

export const NOTIFICATION_KINDS = ['check', 'pay', 'fail', 'confirm', 'refund', 'cancel', 'recurrent', 'receipt'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export function notificationPath(gatewayId: string, kind: NotificationKind): string {
  return `/payments/cloudpayments/${gatewayId}/${kind}`;
}
