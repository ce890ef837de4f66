import type { ErrorParams, RejectionCode } from '../model/errors.js';

/**
 * A transition that committed effects but whose request was still refused: a Q job over budget is
 * refused *and* invalidates its contract. Plain rejections throw before mutating; this one returns.
 */
export interface Refusal {
  refused: RejectionCode;
  params: ErrorParams;
}

export type TransitionResult = Refusal | undefined;
