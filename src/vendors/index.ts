import { recruitee } from './recruitee';
import { smartrecruiters } from './smartrecruiters';
import type { VendorModule } from './types';

/** Every vendor module by id (used by the logic node to build a vendor's default payload). */
export const vendors: Record<string, VendorModule<any, any, any>> = {
  [smartrecruiters.id]: smartrecruiters,
  [recruitee.id]: recruitee,
};

export { smartrecruiters, recruitee };
export type { VendorModule, PushResult, PushContext, PushStep } from './types';
