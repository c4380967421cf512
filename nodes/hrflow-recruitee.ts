import type { NodeAPI } from 'node-red';
import { parseOfferIds, recruitee, type RecruiteeConfig, type RecruiteeParams } from '../src/vendors/recruitee';
import { registerPushNode } from './lib/push-node';

export = function (RED: NodeAPI): void {
  registerPushNode<RecruiteeConfig, RecruiteeParams>(RED, recruitee, {
    params: (def, msg) => ({
      offer_ids: parseOfferIds(msg.offer_ids !== undefined && msg.offer_ids !== null && msg.offer_ids !== '' ? msg.offer_ids : def.offer_ids),
    }),
  });
};
