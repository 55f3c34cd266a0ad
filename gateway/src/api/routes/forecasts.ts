import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { GatewayError } from '../../errors.js';
import type { HistoryPoint, SeriesForecast } from '../../forecast/forecaster.js';
import { MODEL_NAMES } from '../../forecast/models.js';
import { DIMENSIONS, METRICS, type Metric } from '../../forecast/series.js';
import { EXPORT_SETS, exportKeys, wfmCsv, wfmRows, type ExportSet } from '../../workload/wfm-export.js';
import type { ForecastQuery, ForecastReport, Grouping } from '../../workload/workload-forecaster.js';
import { allow } from '../auth.js';
import { errors } from '../schemas.js';

/** Contact-center planners (managers), dispatchers who book the visits, and admins. */
const PLANNERS = allow('manager', 'dispatcher', 'admin');

const num = { type: 'number' } as const;
const str = { type: 'string' } as const;
const band = { mean: num, lo80: num, hi80: num, lo95: num, hi95: num, baseline: num } as const;
const accuracy = { type: 'object', properties: { mape: { type: ['number', 'null'] }, smape: num, coverage80: num, coverage95: num, n: { type: 'integer' } } } as const;
const keySchema = { type: 'object', required: ['metric'], properties: { metric: str, region: str, applianceType: str, language: str, channel: str } } as const;
const weatherSchema = {
  type: 'object',
  required: ['status', 'source'],
  properties: {
    status: { type: 'string', enum: ['ok', 'partial', 'down', 'off'] },
    source: str,
    error: str,
    problems: { type: 'array', items: { type: 'object', required: ['code', 'reason'], properties: { code: str, reason: str, region: str, date: str, line: { type: 'integer' } } } },
  },
} as const;

const seriesSchema = {
  type: 'object',
  required: ['key', 'label', 'model', 'baseline', 'fellBack', 'note', 'withWeather', 'candidates', 'daily', 'hourly', 'drivers', 'weatherExtra', 'history'],
  properties: {
    key: keySchema,
    label: str,
    model: { type: 'string', enum: [...MODEL_NAMES] },
    baseline: { type: 'string', enum: ['seasonal_naive'] },
    fellBack: { type: 'boolean' },
    note: str,
    withWeather: { type: 'boolean' },
    weatherNote: str,
    candidates: { type: 'array', items: { type: 'object', required: ['model'], properties: { model: str, accuracy, error: str } } },
    daily: { type: 'array', items: { type: 'object', required: ['date', 'mean', 'lo80', 'hi80', 'lo95', 'hi95', 'baseline'], properties: { date: str, ...band } } },
    hourly: { type: 'array', items: { type: 'object', required: ['date', 'hour', 'mean', 'lo80', 'hi80', 'lo95', 'hi95', 'baseline'], properties: { date: str, hour: { type: 'integer' }, ...band } } },
    drivers: { type: 'array', items: { type: 'object', required: ['date', 'kind', 'effectPct', 'extra', 'text'], properties: { date: str, kind: { type: 'string', enum: ['weather', 'holiday'] }, effectPct: num, extra: num, text: str } } },
    weatherExtra: num,
    history: {
      type: 'array',
      description: 'What happened before the forecast, counted as the model saw it: daily, the days the model was fitted on; hourly, the weeks the intraday profile was learnt from',
      items: { type: 'object', required: ['date', 'value'], properties: { date: str, hour: { type: 'integer' }, value: num } },
    },
  },
} as const;

const reportSchema = {
  type: 'object',
  required: ['generatedAt', 'timeZone', 'historyFrom', 'historyTo', 'horizonDays', 'granularity', 'weather', 'holidays', 'series', 'skipped'],
  properties: {
    generatedAt: str,
    timeZone: str,
    historyFrom: str,
    historyTo: str,
    horizonDays: { type: 'integer' },
    granularity: { type: 'string', enum: ['daily', 'hourly'] },
    weather: weatherSchema,
    holidays: { type: 'object', properties: { country: str, note: str } },
    series: { type: 'array', items: seriesSchema },
    skipped: { type: 'array', items: { type: 'object', required: ['label', 'reason'], properties: { label: str, reason: str } } },
  },
} as const;

const filterProps = {
  region: { type: 'string', minLength: 1, maxLength: 64 },
  applianceType: { type: 'string', minLength: 1, maxLength: 64 },
  language: { type: 'string', minLength: 1, maxLength: 35 },
  channel: { type: 'string', minLength: 1, maxLength: 32 },
} as const;
const granularity = { type: 'string', enum: ['daily', 'hourly'], default: 'daily' } as const;

interface ForecastsQuery {
  metric: Metric;
  by: Grouping;
  region?: string;
  applianceType?: string;
  language?: string;
  channel?: string;
  granularity: 'daily' | 'hourly';
  horizonDays?: number;
}

type AnsweredSeries = Omit<SeriesForecast, 'history'> & { history: readonly HistoryPoint[] };

/**
 * The report cut to the days asked for and the granularity asked for (the forecast itself is
 * computed, and kept, for the full horizon); each series carries the history of its granularity.
 */
function cut(report: ForecastReport, granularity: 'daily' | 'hourly', horizonDays: number | undefined): Omit<ForecastReport, 'series'> & { granularity: 'daily' | 'hourly'; series: AnsweredSeries[] } {
  const days = Math.min(horizonDays ?? report.horizonDays, report.horizonDays);
  return {
    ...report,
    horizonDays: days,
    granularity,
    series: report.series.map((s) => ({
      ...s,
      daily: s.daily.slice(0, days),
      hourly: granularity === 'hourly' ? s.hourly.slice(0, days * 24) : [],
      history: granularity === 'hourly' ? s.history.hourly : s.history.daily,
    })),
  };
}

function requireSeries(report: ForecastReport, what: string): void {
  if (report.series.length > 0) return;
  const why = report.skipped.map((s) => `${s.label}: ${s.reason}`).join('; ');
  throw new GatewayError('GW_ERR_FORECAST_NO_HISTORY', why !== '' ? why : `no history of ${what} in the last ${report.historyFrom}…${report.historyTo}`);
}

export function registerForecastRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.get<{ Querystring: ForecastsQuery }>('/api/v1/forecasts', { config: PLANNERS,
    schema: {
      tags: ['forecasts'],
      operationId: 'getForecasts',
      summary: 'Workload forecast, 14 days ahead, daily or hourly, with 80 % and 95 % bands, the seasonal-naive baseline, the model chosen by backtest and what drives it (weather, holidays)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['metric'],
        properties: {
          metric: { type: 'string', enum: [...METRICS] },
          by: { type: 'string', enum: ['total', ...DIMENSIONS], default: 'total' },
          ...filterProps,
          granularity,
          horizonDays: { type: 'integer', minimum: 1, maximum: 14 },
        },
      },
      response: { 200: reportSchema, 422: { $ref: 'Problem#' }, ...errors },
    },
  }, async (request) => {
    const { granularity: g, horizonDays, ...q } = request.query;
    const query: ForecastQuery = q;
    const report = await ctx.forecasts.forecast(query);
    requireSeries(report, query.metric);
    return cut(report, g, horizonDays);
  });

  app.get<{ Querystring: { set: ExportSet; granularity: 'daily' | 'hourly'; format: 'csv' | 'json' } }>('/api/v1/forecasts/export', { config: PLANNERS,
    schema: {
      tags: ['forecasts'],
      operationId: 'exportForecasts',
      summary: 'The forecast as workforce-management tools import it: interval start (local, with offset), queue/skill, volume (and the 80 % band); CSV or JSON',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          set: { type: 'string', enum: [...EXPORT_SETS], default: 'contact_center' },
          granularity: { ...granularity, default: 'hourly' },
          format: { type: 'string', enum: ['csv', 'json'], default: 'csv' },
        },
      },
      produces: ['text/csv', 'application/json'],
      response: {
        200: {
          content: {
            'text/csv': { schema: { type: 'string' } },
            'application/json': {
              schema: {
                type: 'object',
                required: ['timeZone', 'generatedAt', 'weather', 'rows'],
                properties: {
                  timeZone: str,
                  generatedAt: str,
                  weather: weatherSchema,
                  rows: { type: 'array', items: { type: 'object', required: ['intervalStart', 'queue', 'volume', 'volumeLow80', 'volumeHigh80'], properties: { intervalStart: str, queue: str, volume: num, volumeLow80: num, volumeHigh80: num } } },
                },
              },
            },
          },
        },
        422: { $ref: 'Problem#' },
        ...errors,
      },
    },
  }, async (request, reply) => {
    const { set, granularity: g, format } = request.query;
    const report = await ctx.forecasts.forecastKeys(`export|${set}`, (h) => exportKeys(set, h));
    requireSeries(report, set);
    const rows = wfmRows(report, g);
    if (format === 'json') return reply.type('application/json').send({ timeZone: report.timeZone, generatedAt: report.generatedAt, weather: report.weather, rows });
    return reply.type('text/csv').header('content-disposition', `attachment; filename="forecare-forecast-${set}-${g}.csv"`).send(wfmCsv(rows));
  });
}
