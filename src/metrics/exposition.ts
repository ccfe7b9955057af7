/**
 * The Prometheus text exposition (format 0.0.4) of a registry, one line per HELP, TYPE and sample.
 * prom-client's own `registry.metrics()` separates families with a blank line (`join('\n\n')`), so
 * a hub's page held one blank line per family; parsers skip them, but they read as garbage at the
 * end of the page and some line-based tools count them as samples.
 */
import type { Registry } from 'prom-client';

export async function renderExposition(registry: Registry): Promise<string> {
  const families = await Promise.all(registry.getMetricsAsArray().map((metric) => registry.getSingleMetricAsString(metric.name)));
  return `${families.join('\n')}\n`;
}
