/** Public face of the scenario module: load a file into a frozen ScenarioSpec, and the helpers around it. */
export * from './spec.js';
export { loadScenarioFile, parseScenario, type ScenarioOverrides } from './load.js';
export { DEFAULTS, type ScenarioDefaults } from './defaults.js';
export { apportion } from './overrides.js';
export { compileIdTemplate, stationIdProblem, MAX_STATION_ID_LENGTH, type IdTemplate } from './stationId.js';
export { COMMAND_PARAMS, COMMAND_ACTIONS } from './sections/commandParams.js';
