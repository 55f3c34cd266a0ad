import { Type } from '@sinclair/typebox';
import { GatewayError } from '../../errors.js';
import type { HistoryPoint, SeriesForecast } from '../../forecast/forecaster.js';
import { MODEL_NAMES } from '../../forecast/models.js';
import { DIMENSIONS, METRICS } from '../../forecast/series.js';
import { EXPORT_SETS, exportKeys, wfmCsv, wfmRows } from '../../workload/wfm-export.js';
import type { ForecastQuery, ForecastReport } from '../../workload/workload-forecaster.js';
import { allow } from '../auth.js';
import type { ApiPlugin } from '../plugin.js';
import { List, Strict, StringEnum, errors, problems } from '../schemas.js';

/** Contact-center planners (managers), dispatchers who book the visits, and admins. */
const PLANNERS = allow('manager', 'dispatcher', 'admin');

const num = Type.Number();
const str = Type.String();
const int = Type.Integer();
const opt = Type.Optional;
const band = { mean: num, lo80: num, hi80: num, lo95: num, hi95: num, baseline: num };
const accuracy = Type.Object({ mape: opt(Type.Number({ description: 'absent when no actual value was above zero' })), smape: num, coverage80: num, coverage95: num, n: int });
const keySchema = Type.Object({ metric: str, region: opt(str), applianceType: opt(str), language: opt(str), channel: opt(str) });
const weatherSchema = Type.Object({
  status: StringEnum(['ok', 'partial', 'down', 'off']),
  source: str,
  error: opt(str),
  problems: opt(List(Type.Object({ code: str, reason: str, region: opt(str), date: opt(str), line: opt(int) }))),
});

const seriesSchema = Type.Object({
  key: keySchema,
  label: str,
  model: StringEnum(MODEL_NAMES),
  baseline: StringEnum(['seasonal_naive']),
  fellBack: Type.Boolean(),
  note: str,
  withWeather: Type.Boolean(),
  weatherNote: opt(str),
  candidates: List(Type.Object({ model: str, accuracy: opt(accuracy), error: opt(str) })),
  daily: List(Type.Object({ date: str, ...band })),
  hourly: List(Type.Object({ date: str, hour: int, ...band })),
  drivers: List(Type.Object({ date: str, kind: StringEnum(['weather', 'holiday']), effectPct: num, extra: num, text: str })),
  weatherExtra: num,
  history: List(Type.Object({ date: str, hour: opt(int), value: num }), {
    description: 'What happened before the forecast, counted as the model saw it: daily, the days the model was fitted on; hourly, the weeks the intraday profile was learnt from',
  }),
});

const reportSchema = Type.Object({
  generatedAt: str,
  timeZone: str,
  historyFrom: str,
  historyTo: str,
  horizonDays: int,
  granularity: StringEnum(['daily', 'hourly']),
  weather: weatherSchema,
  holidays: Type.Object({ country: opt(str), note: opt(str) }),
  series: List(seriesSchema),
  skipped: List(Type.Object({ label: str, reason: str })),
});

const filterProps = {
  region: opt(Type.String({ minLength: 1, maxLength: 64 })),
  applianceType: opt(Type.String({ minLength: 1, maxLength: 64 })),
  language: opt(Type.String({ minLength: 1, maxLength: 35 })),
  channel: opt(Type.String({ minLength: 1, maxLength: 32 })),
};

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

const forecastErrors = { ...errors, ...problems(422) };

/** /api/v1/forecasts: tomorrow's workload, for planners. */
export const forecastRoutes: ApiPlugin = async (app, { ctx }) => {
  app.get('', {
    config: PLANNERS,
    schema: {
      tags: ['forecasts'],
      operationId: 'getForecasts',
      summary: 'Workload forecast, 14 days ahead, daily or hourly, with 80 % and 95 % bands',
      description: 'With the seasonal-naive baseline, the model chosen by backtest and what drives it (weather, holidays).',
      querystring: Strict({
        metric: StringEnum(METRICS),
        by: StringEnum(['total', ...DIMENSIONS], { default: 'total' }),
        ...filterProps,
        granularity: StringEnum(['daily', 'hourly'], { default: 'daily' }),
        horizonDays: opt(Type.Integer({ minimum: 1, maximum: 14 })),
      }),
      response: { 200: reportSchema, ...forecastErrors },
    },
  }, async (request) => {
    const { granularity: g, horizonDays, ...q } = request.query;
    const query: ForecastQuery = q;
    const report = await ctx.forecasts.forecast(query);
    requireSeries(report, query.metric);
    return cut(report, g, horizonDays);
  });

  app.get('/export', {
    config: PLANNERS,
    schema: {
      tags: ['forecasts'],
      operationId: 'exportForecasts',
      summary: 'The forecast as workforce-management tools import it; CSV or JSON',
      description: 'Interval start (local, with offset), queue/skill, volume (and the 80 % band).',
      querystring: Strict({
        set: StringEnum(EXPORT_SETS, { default: 'contact_center' }),
        granularity: StringEnum(['daily', 'hourly'], { default: 'hourly' }),
        format: StringEnum(['csv', 'json'], { default: 'csv' }),
      }),
      response: {
        200: {
          description: 'The forecast rows',
          content: {
            'text/csv': { schema: Type.String() },
            'application/json': {
              schema: Type.Object({
                timeZone: str,
                generatedAt: str,
                weather: weatherSchema,
                rows: Type.Array(Type.Object({ intervalStart: str, queue: str, volume: num, volumeLow80: num, volumeHigh80: num })),
              }),
            },
          },
        },
        ...forecastErrors,
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
};
