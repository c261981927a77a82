import { HbenchError } from '../common/errors.js';

/** A model API error that retrying will not fix (bad key, bad request, unknown model), or retries ran out. */
export class ModelApiError extends HbenchError {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super('MODEL_API', message);
  }
}

/**
 * The model could not be reached: every attempt failed with a fault retrying is meant for (429, 5xx, a timeout, a
 * reset connection, a cut-off or malformed answer) until the bound, or the call was stopped while it was still
 * failing. A trial ending on it is an infrastructure error (its class tells the circuit breaker so), never the agent's.
 */
export class ModelUnreachableError extends ModelApiError {}
