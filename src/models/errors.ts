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
