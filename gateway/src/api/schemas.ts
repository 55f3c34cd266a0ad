import { Type, type ArrayOptions, type ObjectOptions, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import type { Problem } from './problem.js';

/**
 * Shared TypeBox fragments for route definitions. A route's schemas are also its handler's
 * types (the TypeBox type provider), so what the OpenAPI document says is what the code gets.
 */

/** A scalar that may be null, written as a type list (`["string","null"]`): shorter in the document than an anyOf. */
export const Nullable = <T extends TSchema & { type: string }>(schema: T) => Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });

/** One of some strings, as a JSON-schema enum (what OpenAPI readers show as a choice; a union of literals would be an anyOf). */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { default?: T[number]; description?: string } = {}) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

/** An array in an answer: the records it is built from hand out readonly arrays, and an answer only reads them. */
export const List = <T extends TSchema>(item: T, options: ArrayOptions = {}) => Type.Unsafe<readonly Static<T>[]>(Type.Array(item, options));

/** An object or null. */
export const NullableObject = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A request body or query: anything not declared is refused (400), never silently dropped. */
export const Strict = <T extends TProperties>(properties: T, options: ObjectOptions = {}) => Type.Object(properties, { additionalProperties: false, ...options });

/** `{ items: [...] }`, how every list is answered (room for paging fields beside it). */
export const ItemsOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });

/** Free values keyed by name where the keys are data, not API (telemetry metrics, a fault's facts). */
export const Values = Type.Record(Type.String(), Type.Union([Type.Number(), Type.Boolean(), Type.String()]));

/** A path id (hub, ticket, task…): never empty, never longer than any id we issue. */
export const Id = Type.String({ minLength: 1, maxLength: 128 });
export const IdParam = <K extends string>(name: K) => Type.Object({ [name]: Id } as { [P in K]: typeof Id });

/** An empty answer (204). */
export const NoContent = Type.Null({ description: 'No content' });

/** The problem body by reference ($id `Problem`, added once in server.ts); typed as our Problem. */
export const ProblemRef = Type.Unsafe<Problem>({ $ref: 'Problem#' });

const PROBLEM_REASONS = {
  400: 'The request does not match its schema (each mismatch listed in `errors`), or a rule of this route refuses it',
  401: 'No valid admin token or session token',
  403: "The caller's role may not do this",
  404: 'No such resource',
  409: 'The resource is not in a state that allows this',
  422: 'There is nothing to answer from yet',
  429: 'Too many attempts; see Retry-After',
  503: 'A part of the gateway is not running',
} as const;
type ProblemStatus = keyof typeof PROBLEM_REASONS;

/** An error answer: an RFC 9457 problem body, served as `application/problem+json`. */
export const problemResponse = (status: ProblemStatus) => ({ description: PROBLEM_REASONS[status], content: { 'application/problem+json': { schema: ProblemRef } } });

/** The error answers of a route, by status. */
export function problems<S extends ProblemStatus>(...statuses: S[]): { [K in S]: ReturnType<typeof problemResponse> } {
  return Object.fromEntries(statuses.map((s) => [s, problemResponse(s)])) as { [K in S]: ReturnType<typeof problemResponse> };
}

/** What any route behind a sign-in can answer besides its own: a bad request, no token, a role that may not. */
export const signedInErrors = problems(400, 401, 403);
/** …and a resource that is not there. */
export const errors = problems(400, 401, 403, 404);
/** …and a resource that is not in a state for this. */
export const changeErrors = problems(400, 401, 403, 404, 409);
