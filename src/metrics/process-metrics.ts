/** Node.js process metrics (prom-client's defaults, prefixed `llmiot_`), less the three that break the naming rules. */
import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * Gauges prom-client names `_total` (promtool: "non-counter metrics should not have _total suffix").
 * Their per-type gauges (`llmiot_nodejs_active_handles{type}` …) stay; a sum() over them gives the total.
 */
const MISNAMED = ['llmiot_nodejs_active_handles_total', 'llmiot_nodejs_active_requests_total', 'llmiot_nodejs_active_resources_total'];

export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: 'llmiot_' });
  for (const name of MISNAMED) registry.removeSingleMetric(name);
}
