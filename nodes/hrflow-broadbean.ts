import type { NodeAPI } from 'node-red';
import { broadbean, type BroadbeanConfig, type BroadbeanParams } from '../src/vendors/broadbean';
import { registerPushNode } from './lib/push-node';
import { fromMsgOr } from './lib/runtime';

export = function (RED: NodeAPI): void {
  registerPushNode<BroadbeanConfig, BroadbeanParams>(RED, broadbean, {
    params: (def, msg) => ({
      job_id: fromMsgOr(msg, 'job_id', def.job_id),
      shortlist_id: fromMsgOr(msg, 'shortlist_id', def.shortlist_id) || undefined,
      aplitrak_email_address: fromMsgOr(msg, 'aplitrak_email_address', def.aplitrak_email_address) || undefined,
    }),
  });
};
