/** A held call's plan in words, for the confirmation dialog and for the model. */
import type { ToolPlan } from '../tools/tool-runner.ts';

const MAX_LISTED = 20;

/** The plan as lines: action and effect, target devices (at most 20 listed), arguments. */
export function describePlan(plan: ToolPlan): string {
  const effect = plan.kind === 'destructive' ? 'a destructive action' : plan.kind === 'write' ? 'a change of device state' : 'a read';
  const devices =
    plan.devices.length === 0
      ? ['Target devices: none resolved from the arguments (the call itself reports unknown ids).']
      : [
          `Target devices (${plan.devices.length}):`,
          ...plan.devices.slice(0, MAX_LISTED).map((d) => `- ${d.hardware_id} (${d.model}${d.zone ? `, ${d.zone}` : ''}) ${d.device_id}`),
          ...(plan.devices.length > MAX_LISTED ? [`- … and ${plan.devices.length - MAX_LISTED} more`] : []),
        ];
  return [`Action: ${plan.tool} (${plan.method}), ${effect}.`, ...devices, `Arguments: ${JSON.stringify(plan.arguments)}`].join('\n');
}
