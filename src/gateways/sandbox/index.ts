export { sandboxAdapter } from './adapter';
