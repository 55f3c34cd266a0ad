export { SimHub, type SimAppliance, type SimOptions, type SentMessage } from './hub.js';
export { AcceleratedClock, realClock, type SimClock } from './clock.js';
export { Random } from './random.js';
export { modelFor, RefrigeratorModel, WasherModel, CatalogModel, type ApplianceModel, type Reading } from './models.js';
export { provisionHubs, startFleet, hubIds, type ProvisionedHub } from './fleet.js';
export { loadScenario, scenarioNames, scenariosDir, applyDue, type Scenario, type ScenarioEvent, type Label } from './scenarios.js';
export { score, scoreTable, DETECTED_BY, type Score, type ScoredAlarm, type KindScore } from './score.js';
export { runLoad, type LoadOptions, type LoadResult } from './load.js';
export { ContactCenterSim, type ContactCenterOptions, type ReceivedTask, type Outcome } from './contact-center-sim.js';
