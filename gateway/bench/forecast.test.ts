import { describe, expect, it } from 'vitest';
import { buildScenario, COLD_SNAP, HEAT_WAVE, trueExtra } from './forecast-scenario.js';
import { backtest, inputAt, weeklyOrigins } from '../dist/forecast/backtest.js';
import { forecastSeries } from '../dist/forecast/forecaster.js';

/**
 * The targets on twelve simulated months (seeded): daily tickets per region at least
 * 20 % lower sMAPE than seasonal naive, 80 % bands covering 75–85 % of actuals, and the heat
 * wave's extra air-conditioner tickets within 25 % when its weather forecast is given. The
 * full figures (every series, more origins, five seeds) come from `npm run bench:forecast -w gateway`.
 */
const scenario = buildScenario();
// Every third week from mid-June on: the summer, the heat wave, autumn's holidays and the cold snap.
const origins = weeklyOrigins(scenario.sim.dates.length, 105, 14, 21);

describe('forecast backtest on a simulated year', () => {
  const results = ['North', 'East', 'South', 'West'].map((region) => backtest(scenario.series({ metric: 'tickets', region }), origins));

  it.each(results.map((r) => [r.key.region, r] as const))('daily tickets in %s: sMAPE at least 20 %% below seasonal naive', (_region, r) => {
    expect(r.origins).toBeGreaterThanOrEqual(12);
    expect(r.smapeRatio).toBeLessThanOrEqual(0.8);
  });

  it('80 % bands of the regional ticket forecasts cover 75–85 % of what happened', () => {
    const n = results.reduce((s, r) => s + r.model.n, 0);
    const covered = results.reduce((s, r) => s + r.model.coverage80 * r.model.n, 0) / n;
    expect(covered).toBeGreaterThanOrEqual(0.75);
    expect(covered).toBeLessThanOrEqual(0.85);
  });

  it('forecasts the heat wave’s extra air-conditioner tickets within 25 % when its weather forecast is given', () => {
    const series = scenario.series({ metric: 'tickets', region: HEAT_WAVE.region, applianceType: 'air_conditioner' });
    const truth = trueExtra(scenario.sim, HEAT_WAVE, 'air_conditioner');
    // Forecasts issued one to seven days before the heat wave, each seeing only the days before it.
    const extras = [1, 3, 5, 7].map((lead) => forecastSeries(inputAt(series, HEAT_WAVE.firstDay - lead, 14)));
    for (const f of extras) expect(f.withWeather).toBe(true);
    const mean = extras.reduce((s, f) => s + f.weatherExtra, 0) / extras.length;
    expect(truth).toBeGreaterThan(20);
    expect(Math.abs(mean - truth) / truth).toBeLessThanOrEqual(0.25);
    expect(extras[0]?.drivers.some((d) => d.kind === 'weather' && d.text.startsWith('heat wave') && d.effectPct > 20)).toBe(true);
  });

  it('sees the cold snap coming in the water heaters of the North', () => {
    const series = scenario.series({ metric: 'tickets', region: COLD_SNAP.region, applianceType: 'water_heater' });
    const f = forecastSeries(inputAt(series, COLD_SNAP.firstDay - 2, 14));
    expect(f.withWeather).toBe(true);
    expect(f.weatherExtra).toBeGreaterThan(0.5 * trueExtra(scenario.sim, COLD_SNAP, 'water_heater'));
    expect(f.drivers.some((d) => d.text.startsWith('cold snap'))).toBe(true);
  });
});
