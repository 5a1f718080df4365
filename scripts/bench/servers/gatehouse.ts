/**
 * @module Bench entry: Gatehouse exactly as `npm start` runs it — `src/main.ts` configured from the
 * environment (AUTH_STRATEGY, BEARER_TOKEN, API_KEY, RATE_LIMIT_RPS, … set by the runner).
 */
import main from "../../../src/main.ts";

export const fetch = main.fetch;
