/** Shared JSON-schema fragments for route definitions. */
export const anyObject = { type: 'object', additionalProperties: true } as const;
export const itemsOf = (item: object = anyObject) => ({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: item } } }) as const;
export const problemRef = { $ref: 'Problem#' } as const;
export const errors = { 400: problemRef, 401: problemRef, 404: problemRef, 409: problemRef } as const;
export const idParam = (name: string) => ({ type: 'object', required: [name], properties: { [name]: { type: 'string', minLength: 1, maxLength: 128 } } }) as const;
