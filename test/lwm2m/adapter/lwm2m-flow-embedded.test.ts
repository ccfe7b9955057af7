import { describeLwm2mFlow } from './describe-lwm2m-flow.ts';

describeLwm2mFlow('embedded aedes broker', () => ({}));
