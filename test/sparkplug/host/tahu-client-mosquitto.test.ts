import { MOSQUITTO_URL } from '../../support/services.ts';
import { describeTahuInterop } from './describe-tahu-interop.ts';

describeTahuInterop(`external Mosquitto at ${MOSQUITTO_URL}`, () => ({ mqttUrl: MOSQUITTO_URL }));
