/**
 * The regression metric kernels and their sampling errors in one import (used by PerformanceCalculator
 * and DLE). Names exported here are kept stable.
 */
export * from './metrics/regression';
export * from './sampling-error/regression';
