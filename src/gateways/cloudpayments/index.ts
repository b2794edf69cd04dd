export { cloudPaymentsAdapter } from './adapter';
