/**
 * Real time for the checker's budget. A simulated run fakes `performance` and `process.hrtime`, so
 * the real function is captured when this module loads (before any run), which keeps the budget
 * honest when a check happens inside a simulation.
 */
export type Clock = () => number;

export const realClock: Clock = performance.now.bind(performance);
