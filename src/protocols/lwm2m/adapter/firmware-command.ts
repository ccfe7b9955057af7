// Starts `mcu.upload_program` on a LwM2M device: checks it, then runs a FirmwareUpdateFlow for the command.
import type { DeviceIngress } from '../../../core/device-ingress.ts';
import type { CommandRecord } from '../../../core/command.ts';
import { errorObject } from '../../../core/errors.ts';
import type { Logger } from '../../../log/logger.ts';
import { buildDownlink, type DownlinkRequest, type RequestContext } from './downlink-request.ts';
import { firmwareRequest } from './firmware-preconditions.ts';
import { FirmwareUpdateFlow } from './firmware-update-flow.ts';
import type { Lwm2mSession, Observation } from './lwm2m-session.ts';
import type { Answer } from './operation-answer.ts';

/** What starting a firmware update needs from the operation runner. */
export interface FirmwareCommandDeps {
  readonly sessions: ReadonlyMap<string, Lwm2mSession>;
  readonly ingress: Pick<DeviceIngress, 'completed'>;
  readonly logger: Logger;
  readonly context: (session: Lwm2mSession) => RequestContext;
  readonly send: (
    session: Lwm2mSession,
    request: DownlinkRequest,
    options: { commandId?: string; origin?: Observation['origin'] },
    onAnswer: (answer: Answer) => void,
  ) => Promise<void>;
}

/**
 * Check the command (package URI, /5/0 registered, no update under way) and start the flow; its
 * requests carry the command id, so they end with it. The session is looked up at each step: a
 * device that re-registers during the update keeps it.
 */
export function startFirmwareUpdate(deps: FirmwareCommandDeps, session: Lwm2mSession, command: CommandRecord): void {
  const { ingress, sessions } = deps;
  const checked = firmwareRequest(session, command.params);
  if ('error' in checked) {
    ingress.completed(command.id, session.deviceId, { error: checked.error });
    return;
  }
  const endpoint = session.endpoint;
  const alreadyObserved = new Set([...session.observations.values()].filter((o) => o.origin === 'client').map((o) => o.path));
  const flow: FirmwareUpdateFlow = new FirmwareUpdateFlow(
    { commandId: command.id, packageUri: checked.packageUri, ...(checked.version === undefined ? {} : { version: checked.version }), alreadyObserved },
    {
      request: (msgType, params, onAnswer) => {
        const current = sessions.get(endpoint);
        if (current === undefined) throw new Error(`no live registration of ${endpoint}`);
        const request = buildDownlink(msgType, params, deps.context(current));
        deps.send(current, request, { commandId: command.id, origin: 'firmware' }, onAnswer).catch((error: unknown) => {
          onAnswer({ ok: false, error: errorObject('INTERNAL_ERROR', `command delivery failed: ${error instanceof Error ? error.message : String(error)}`) });
        });
      },
      release: (paths) => {
        const current = sessions.get(endpoint);
        for (const path of paths) {
          if (current === undefined || current.observations.get(path)?.origin !== 'firmware') continue;
          deps.send(current, { msgType: 'cancel-observe', data: { path }, path }, {}, () => {}).catch((error: unknown) => {
            deps.logger.warn({ err: error, endpoint, path }, 'lwm2m: cancel-observe not sent');
          });
        }
      },
      finish: (outcome) => {
        const current = sessions.get(endpoint);
        if (current?.firmware === flow) current.firmware = undefined;
        ingress.completed(command.id, session.deviceId, outcome);
      },
    },
  );
  session.firmware = flow;
  flow.start();
}
