import { describeNativeFlow } from './describe-native-flow.ts';
import { MOSQUITTO_URL } from '../support/services.ts';

describeNativeFlow(`external Mosquitto at ${MOSQUITTO_URL}`, () => ({ mqttUrl: MOSQUITTO_URL }));
