import type { NodeAPI } from 'node-red';
import { flatchr, type FlatchrConfig, type FlatchrParams } from '../src/vendors/flatchr';
import { registerPushNode } from './lib/push-node';
import { fromMsgOr } from './lib/runtime';

const on = (v: unknown) => v === true || v === 'true';

export = function (RED: NodeAPI): void {
  registerPushNode<FlatchrConfig, FlatchrParams>(RED, flatchr, {
    params: (def, msg) => ({
      vacancy: fromMsgOr(msg, 'vacancy', def.vacancy),
      test_mode: on(def.test_mode),
      cv_mode: def.cv_mode === 'document' ? 'document' : 'link',
      lookup_id: on(def.lookup_id),
    }),
  });
};
