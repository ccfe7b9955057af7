import { describeTahuInterop } from './describe-tahu-interop.ts';

describeTahuInterop('embedded aedes broker', () => ({}));
