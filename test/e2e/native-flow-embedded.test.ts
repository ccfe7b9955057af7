import { describeNativeFlow } from './describe-native-flow.ts';

describeNativeFlow('embedded aedes broker', () => ({}));
