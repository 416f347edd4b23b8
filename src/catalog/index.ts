export * from './model.js';
export { introspect, type IntrospectOptions } from './introspect.js';
export { normalizeCatalog } from './normalize.js';
export { fingerprint } from './fingerprint.js';
