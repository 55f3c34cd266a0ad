export * from './version.js';
export * from './ids.js';
export * from './topics.js';
export * from './catalog/index.js';
export * from './schemas/payloads.js';
export * from './schemas/by-topic.js';
export * from './validate.js';
export * from './fixtures/golden.js';
