import type { FastifyInstance } from 'fastify';
import { serializeRules, type RuleDef } from '@forecare/rules';
import type { GatewayContext } from '../../context.js';
import { RuleVersions } from '../../engine/rule-versions.js';
import { SIGNED_IN, allow } from '../auth.js';
import { anyObject, errors, itemsOf } from '../schemas.js';

const files = { type: 'array', minItems: 1, maxItems: 200, items: { type: 'object', required: ['name', 'text'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, text: { type: 'string', maxLength: 1_000_000 } } } } as const;
type Files = { name: string; text: string }[];

export function registerRuleRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const versions = new RuleVersions(ctx.store, ctx.clock, ctx.runner);
  // Every open rule editor hears of a new version from the live stream, not by polling.
  const announce = (v: { version: number; author: string; message: string }): void => ctx.bus.publish({ type: 'rules', data: { version: v.version, author: v.author, message: v.message } });

  app.get('/api/v1/rules', { config: SIGNED_IN, schema: { tags: ['rules'], summary: 'The deployed rule set and its version, also as one YAML file to edit', response: { 200: anyObject, ...errors } } }, async () => ({
    version: ctx.runner.ruleVersion,
    rules: ctx.runner.ruleSet,
    yaml: serializeRules(ctx.runner.ruleSet),
  }));

  app.get('/api/v1/rules/versions', { config: SIGNED_IN, schema: { tags: ['rules'], summary: 'Deployed rule versions, newest first, with author, message, time and diff', response: { 200: itemsOf(), ...errors } } }, async () => ({
    // `yaml`: each version in the form its rules are written in, for a side-by-side diff people read.
    items: versions.list().map((v) => ({ ...v, rules: JSON.parse(v.rules) as unknown, yaml: serializeRules(JSON.parse(v.rules) as RuleDef[]), diff: v.diff === '' ? null : (JSON.parse(v.diff) as unknown), current: v.version === ctx.runner.ruleVersion })),
  }));

  app.get<{ Params: { version: number }; Querystring: { against?: number } }>('/api/v1/rules/versions/:version/diff', { config: SIGNED_IN,
    schema: { tags: ['rules'], params: { type: 'object', properties: { version: { type: 'integer', minimum: 1 } } }, querystring: { type: 'object', properties: { against: { type: 'integer', minimum: 1 } } }, response: { 200: anyObject, ...errors } },
  }, async (request) => versions.diff(request.query.against ?? Math.max(1, request.params.version - 1), request.params.version));

  app.post<{ Body: { files: Files } }>('/api/v1/rules/validate', { config: allow('engineer', 'manager', 'admin'),
    schema: { tags: ['rules'], summary: "Check rule files with the engine's own parser: every problem with its line and column", body: { type: 'object', required: ['files'], properties: { files } }, response: { 200: anyObject, ...errors } },
  }, async (request) => {
    const { rules, issues } = versions.validate(request.body.files);
    return { ok: issues.length === 0, rules: rules.map((r) => r.id), issues };
  });

  app.post<{ Body: { files: Files; days?: number } }>('/api/v1/rules/backtest', { config: allow('engineer', 'manager', 'admin'),
    schema: { tags: ['rules'], summary: 'What the candidate rules would have raised over the recorded days, beside the deployed ones', body: { type: 'object', required: ['files'], properties: { files, days: { type: 'number', minimum: 0.01, maximum: 90 } } }, response: { 200: anyObject, ...errors } },
  }, async (request) => versions.backtestFiles(request.body.files, request.body.days ?? 7));

  app.post<{ Body: { files: Files; message: string; author?: string; baseVersion?: number } }>('/api/v1/rules/deploy', { config: allow('engineer', 'admin'),
    schema: {
      tags: ['rules'],
      summary: 'Deploy rule files as a new version (state of unchanged rules is kept); with baseVersion, a deploy by someone else since then is refused (409)',
      body: { type: 'object', required: ['files', 'message'], properties: { files, message: { type: 'string', minLength: 1, maxLength: 500 }, author: { type: 'string', minLength: 1, maxLength: 100 }, baseVersion: { type: 'integer', minimum: 1 } } },
      response: { 201: anyObject, ...errors },
    },
  }, async (request, reply) => {
    const v = await versions.deployFiles(request.body.files, request.body.author ?? request.caller?.username ?? 'api', request.body.message, request.body.baseVersion);
    request.log.info({ version: v.version, author: v.author }, 'rules deployed');
    announce(v);
    return reply.code(201).send({ version: v.version, author: v.author, message: v.message, diff: JSON.parse(v.diff) as unknown });
  });

  app.post<{ Body: { version: number; message?: string; author?: string } }>('/api/v1/rules/rollback', { config: allow('engineer', 'admin'),
    schema: { tags: ['rules'], summary: "Deploy an earlier version's rules again, as a new version", body: { type: 'object', required: ['version'], properties: { version: { type: 'integer', minimum: 1 }, message: { type: 'string', maxLength: 500 }, author: { type: 'string', maxLength: 100 } } }, response: { 201: anyObject, ...errors } },
  }, async (request, reply) => {
    const v = await versions.rollback(request.body.version, request.body.author ?? request.caller?.username ?? 'api', request.body.message ?? '');
    announce(v);
    return reply.code(201).send({ version: v.version, author: v.author, message: v.message, diff: JSON.parse(v.diff) as unknown });
  });
}
