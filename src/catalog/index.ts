export * from './model.js';
export { introspect, type IntrospectOptions } from './introspect.js';
export { normalizeCatalog } from './normalize.js';
export { differingObjects, fingerprint, objectHashes } from './fingerprint.js';
