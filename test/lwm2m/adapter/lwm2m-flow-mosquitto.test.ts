import { MOSQUITTO_URL } from '../../support/services.ts';
import { describeLwm2mFlow } from './describe-lwm2m-flow.ts';

describeLwm2mFlow(`external Mosquitto at ${MOSQUITTO_URL}`, () => ({ mqttUrl: MOSQUITTO_URL }));
