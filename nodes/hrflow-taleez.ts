import type { NodeAPI } from 'node-red';
import { parseId, parseIds, taleez, type TaleezConfig, type TaleezParams } from '../src/vendors/taleez';
import { registerPushNode } from './lib/push-node';
import type { Msg } from './lib/runtime';

/** msg.<key> when it is set (not blank), else the panel's value. */
const pick = (msg: Msg, key: string, panel: unknown) => {
  const v = msg[key];
  return v === undefined || v === null || (typeof v === 'string' && !v.trim()) ? panel : v;
};

export = function (RED: NodeAPI): void {
  registerPushNode<TaleezConfig, TaleezParams>(RED, taleez, {
    params: (def, msg) => ({
      recruiter_id: parseId(pick(msg, 'recruiter_id', def.recruiter_id), 'recruiter id'),
      job_id: parseId(pick(msg, 'job_id', def.job_id), 'job id'),
      pool_ids: parseIds(pick(msg, 'pool_ids', def.pool_ids), 'pool id'),
    }),
  });
};
