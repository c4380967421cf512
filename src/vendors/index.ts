import { broadbean } from './broadbean';
import { flatchr } from './flatchr';
import { recruitee } from './recruitee';
import { smartrecruiters } from './smartrecruiters';
import { taleez } from './taleez';
import type { VendorModule } from './types';

/** Every vendor module by id (used by the logic node to build a vendor's default payload). */
export const vendors: Record<string, VendorModule<any, any, any>> = {
  [smartrecruiters.id]: smartrecruiters,
  [recruitee.id]: recruitee,
  [broadbean.id]: broadbean,
  [flatchr.id]: flatchr,
  [taleez.id]: taleez,
};

export { smartrecruiters, recruitee, broadbean, flatchr, taleez };
export type { VendorModule, PushResult, PushContext, PushStep } from './types';
