/** hubMethods: every hub JSON-RPC method, in one list. */
import type { MethodDefinition } from '../rpc/method.ts';
import { batchMethods } from './batch-methods.ts';
import { commandMethods } from './command-methods.ts';
import { dataMethods } from './data-methods.ts';
import { deviceMethods } from './device-methods.ts';
import { fleetSummaryMethods } from './fleet-summary-methods.ts';
import { mcuMethods } from './mcu-methods.ts';
import { metadataMethods } from './metadata-methods.ts';
import { sensorMethods } from './sensor-methods.ts';
import type { HubServices } from './services.ts';
import { SubscriptionHub, subscriptionMethods } from './subscription-methods.ts';
import { telemetryMethods } from './telemetry-methods.ts';

export function hubMethods(services: HubServices, subscriptions: SubscriptionHub): MethodDefinition[] {
  return [
    ...deviceMethods(services),
    ...fleetSummaryMethods(services),
    ...metadataMethods(services),
    ...mcuMethods(services),
    ...sensorMethods(services),
    ...telemetryMethods(services),
    ...dataMethods(services),
    ...subscriptionMethods(services, subscriptions),
    ...batchMethods(services),
    ...commandMethods(services),
  ];
}

export { SubscriptionHub };
export type { HubServices };
