/** The thread a forecast job runs on: model fitting takes seconds of CPU that the broker's event loop must not wait for. */
import { parentPort, workerData } from 'node:worker_threads';
import { forecastSeries, type ForecastOptions, type SeriesInput } from '../forecast/forecaster.js';

const { inputs, options } = workerData as { inputs: SeriesInput[]; options: ForecastOptions };
const results = inputs.map((input) => {
  try {
    return { forecast: forecastSeries(input, options) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
});
parentPort?.postMessage(results);
