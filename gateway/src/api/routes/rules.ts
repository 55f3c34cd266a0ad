import { Type } from '@sinclair/typebox';
import { serializeRules, type RuleDef } from '@forecare/rules';
import { RuleVersions } from '../../engine/rule-versions.js';
import { SIGNED_IN, allow } from '../auth.js';
import type { ApiPlugin } from '../plugin.js';
import { changeErrors, errors, ItemsOf, List, signedInErrors, Strict, StringEnum } from '../schemas.js';

const str = Type.String();
const strs = List(str);
const opt = Type.Optional;
const Files = Type.Array(Strict({ name: Type.String({ minLength: 1, maxLength: 200 }), text: Type.String({ maxLength: 1_000_000 }) }), { minItems: 1, maxItems: 200 });
const RuleDefModel = Type.Object({
  id: str, description: opt(str), kind: str, appliesTo: opt(strs), severity: opt(str), raises: strs,
  params: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()])),
  condition: opt(str), clear: opt(str), of: opt(strs), unless: opt(strs),
});
const Diff = Type.Object({ added: strs, removed: strs, changed: strs }, { description: 'rule ids added, removed and changed' });
const Deployed = Type.Object({ version: Type.Integer(), author: str, message: str, diff: Diff });
const Issue = Type.Object({ code: str, severity: StringEnum(['error', 'warning']), source: str, line: Type.Integer(), column: Type.Integer(), path: str, message: str });
const Raise = Type.Object({ alarmKey: str, at: Type.Integer(), ruleId: str });
const Counts = Type.Record(Type.String(), Type.Integer(), { description: 'alarms raised, by rule id' });
const EDITORS = allow('engineer', 'manager', 'admin');
const DEPLOYERS = allow('engineer', 'admin');

/** /api/v1/rules: the deployed rule set, its versions, and checking, trying and deploying new rules. */
export const ruleRoutes: ApiPlugin = async (app, { ctx }) => {
  const versions = new RuleVersions(ctx.store, ctx.clock, ctx.runner);
  const deployed = (v: { version: number; author: string; message: string; diff: string }) => ({ version: v.version, author: v.author, message: v.message, diff: JSON.parse(v.diff) as { added: string[]; removed: string[]; changed: string[] } });
  // Every open rule editor hears of a new version from the live stream, not by polling.
  const announce = (v: { version: number; author: string; message: string }): void => ctx.bus.publish({ type: 'rules', data: { version: v.version, author: v.author, message: v.message } });

  app.get('', {
    config: SIGNED_IN,
    schema: {
      tags: ['rules'],
      operationId: 'getRules',
      summary: 'The deployed rule set and its version, also as one YAML file to edit',
      response: { 200: Type.Object({ version: Type.Integer(), rules: List(RuleDefModel), yaml: str }), ...signedInErrors },
    },
  }, async () => ({ version: ctx.runner.ruleVersion, rules: ctx.runner.ruleSet, yaml: serializeRules(ctx.runner.ruleSet) }));

  app.get('/versions', {
    config: SIGNED_IN,
    schema: {
      tags: ['rules'],
      operationId: 'listRuleVersions',
      summary: 'Deployed rule versions, newest first, with author, message, time and diff',
      response: {
        200: ItemsOf(Type.Object({ version: Type.Integer(), author: str, message: str, createdAt: Type.Integer(), rules: List(RuleDefModel), yaml: Type.String({ description: 'the version in the form its rules are written in, for a side-by-side diff' }), diff: Type.Union([Diff, Type.Null()]), current: Type.Boolean() })),
        ...signedInErrors,
      },
    },
  }, async () => ({
    items: versions.list().map((v) => ({ ...v, rules: JSON.parse(v.rules) as RuleDef[], yaml: serializeRules(JSON.parse(v.rules) as RuleDef[]), diff: v.diff === '' ? null : (JSON.parse(v.diff) as { added: string[]; removed: string[]; changed: string[] }), current: v.version === ctx.runner.ruleVersion })),
  }));

  app.get('/versions/:version/diff', {
    config: SIGNED_IN,
    schema: {
      tags: ['rules'],
      operationId: 'diffRuleVersions',
      summary: 'What changed between two versions (default: against the one before)',
      params: Type.Object({ version: Type.Integer({ minimum: 1 }) }),
      querystring: Type.Object({ against: opt(Type.Integer({ minimum: 1 })) }),
      response: { 200: Diff, ...errors },
    },
  }, async (request) => versions.diff(request.query.against ?? Math.max(1, request.params.version - 1), request.params.version));

  app.post('/validate', {
    config: EDITORS,
    schema: {
      tags: ['rules'],
      operationId: 'validateRules',
      summary: "Check rule files with the engine's own parser: every problem with its line and column",
      body: Type.Object({ files: Files }),
      response: { 200: Type.Object({ ok: Type.Boolean(), rules: Type.Array(str, { description: 'the ids of the rules read' }), issues: Type.Array(Issue) }), ...signedInErrors },
    },
  }, async (request) => {
    const { rules, issues } = versions.validate(request.body.files);
    return { ok: issues.length === 0, rules: rules.map((r) => r.id), issues };
  });

  app.post('/backtest', {
    config: EDITORS,
    schema: {
      tags: ['rules'],
      operationId: 'backtestRules',
      summary: 'What the candidate rules would have raised over the recorded days, beside the deployed ones',
      body: Type.Object({ files: Files, days: opt(Type.Number({ minimum: 0.01, maximum: 90 })) }),
      response: {
        200: Type.Object({ deployed: Counts, candidate: Counts, comparison: Type.Object({ added: Type.Array(Raise), removed: Type.Array(Raise), unchanged: Type.Integer() }), inputs: Type.Integer({ description: 'recorded messages replayed' }) }),
        ...signedInErrors,
      },
    },
  }, async (request) => versions.backtestFiles(request.body.files, request.body.days ?? 7));

  app.post('/deploy', {
    config: DEPLOYERS,
    schema: {
      tags: ['rules'],
      operationId: 'deployRules',
      summary: 'Deploy rule files as a new version (state of unchanged rules is kept)',
      description: 'With baseVersion, a deploy by someone else since then is refused (409).',
      body: Type.Object({ files: Files, message: Type.String({ minLength: 1, maxLength: 500 }), author: opt(Type.String({ minLength: 1, maxLength: 100 })), baseVersion: opt(Type.Integer({ minimum: 1 })) }),
      response: { 201: Deployed, ...changeErrors },
    },
  }, async (request, reply) => {
    const v = await versions.deployFiles(request.body.files, request.body.author ?? request.caller?.username ?? 'api', request.body.message, request.body.baseVersion);
    request.log.info({ version: v.version, author: v.author }, 'rules deployed');
    announce(v);
    return reply.code(201).send(deployed(v));
  });

  app.post('/rollback', {
    config: DEPLOYERS,
    schema: {
      tags: ['rules'],
      operationId: 'rollbackRules',
      summary: "Deploy an earlier version's rules again, as a new version",
      body: Type.Object({ version: Type.Integer({ minimum: 1 }), message: opt(Type.String({ maxLength: 500 })), author: opt(Type.String({ maxLength: 100 })) }),
      response: { 201: Deployed, ...changeErrors },
    },
  }, async (request, reply) => {
    const v = await versions.rollback(request.body.version, request.body.author ?? request.caller?.username ?? 'api', request.body.message ?? '');
    announce(v);
    return reply.code(201).send(deployed(v));
  });
};
