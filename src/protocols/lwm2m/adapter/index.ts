// LwM2M over MQTT protocol adapter: re-exports only.
export { Lwm2mAdapter, type Lwm2mAdapterOptions } from './lwm2m-adapter.ts';
export { buildDownlink, LWM2M_OPERATIONS, type DownlinkRequest, type Lwm2mOperationType } from './downlink-request.ts';
export { ipsoHardwareId, registrationLocation } from './device-mapping.ts';
export { LWM2M_DEVICE_ERROR_CODE } from './operation-answer.ts';
export { lifetimeGraceMs } from './lifetime-tracker.ts';
export * from './topics.ts';
