export { cryptoCloudAdapter } from './adapter';
