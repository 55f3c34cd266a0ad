import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GatewayContext } from '../context.js';

/**
 * The routes under one URL prefix, as a fastify plugin: registered with that prefix in
 * server.ts, their TypeBox schemas are their handlers' types.
 */
export type ApiPlugin<Extra extends object = object> = FastifyPluginAsyncTypebox<{ readonly ctx: GatewayContext } & Extra>;
