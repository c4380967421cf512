import type { NodeAPI } from 'node-red';
import { smartrecruiters, type SmartRecruitersConfig, type SmartRecruitersParams } from '../src/vendors/smartrecruiters';
import { registerPushNode } from './lib/push-node';
import { fromMsgOr } from './lib/runtime';

export = function (RED: NodeAPI): void {
  registerPushNode<SmartRecruitersConfig, SmartRecruitersParams>(RED, smartrecruiters, {
    params: (def, msg) => ({
      job_id: fromMsgOr(msg, 'job_id', def.job_id),
      upload_cv: def.upload_cv !== false && def.upload_cv !== 'false',
    }),
  });
};
