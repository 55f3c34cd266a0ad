/**
 * Version of the wire contract (semver): the major is the topic tree (`forecare/v1`), the minor
 * counts additive changes (new optional fields, catalog entries, topics), the patch wording fixes.
 */
export const CONTRACT_VERSION = '1.1.0';
