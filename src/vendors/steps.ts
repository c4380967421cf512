/**
 * The steps after a create (CV upload, job or pool assignment...), shared by a vendor's `push` and its
 * `finish` (issue 12: a PARTIAL_PUSH is finished, not repeated).
 *
 * A vendor lists its later steps once (`LaterStep[]`, in order). `push` creates the candidate, then runs
 * them all; `finish` runs only those the earlier push did not record as done or skipped, on the recorded
 * candidate, and never creates. Either way a step that fails throws PARTIAL_PUSH carrying the candidate
 * id, the failed step and the steps done before it (`error.steps`), which the ledger keeps.
 */
import { partialPush } from '../core/errors';
import type { CvFile } from '../push/files';
import type { FinishFrom } from '../push/pipeline';
import type { PushResult, PushStep } from './types';

/** What a later step did: its msg.steps entry, and the vendor's answer when it sent a request. */
export interface StepOutcome {
  step: PushStep;
  response?: unknown;
  statusCode?: number;
}

export interface LaterStep {
  /** The step's name, as in msg.steps, the ledger and `error.step` (upload_cv, add_to_job...). */
  step: string;
  /** Do it on the candidate (throws ConnectorError). */
  run(): Promise<StepOutcome>;
}

/** The msg.steps entry of the create in a finish: the candidate was created by the earlier push. */
export const CREATED_EARLIER: PushStep = { step: 'create', status: 'done', detail: 'created earlier' };

/**
 * Run `plan` on `candidateId` after the steps `before` (the create), each step once in order; with `done`
 * (a finish) the steps it records as done or skipped are not run again, only listed. A failure throws
 * PARTIAL_PUSH with the steps so far. The answer kept is the last request's.
 */
export async function runLaterSteps(
  vendor: string,
  candidateId: string,
  before: PushStep[],
  plan: readonly LaterStep[],
  done?: FinishFrom,
): Promise<{ steps: PushStep[]; last?: StepOutcome }> {
  const steps = [...before];
  let last: StepOutcome | undefined;
  for (const s of plan) {
    const earlier = done?.steps.find((d) => d.step === s.step && d.status !== 'failed');
    if (earlier) {
      steps.push({ step: s.step, status: earlier.status === 'skipped' ? 'skipped' : 'done', detail: `${earlier.status === 'skipped' ? 'skipped' : 'done'} earlier` });
      continue;
    }
    let out: StepOutcome;
    try {
      out = await s.run();
    } catch (err) {
      throw partialPush(err, vendor, candidateId, steps);
    }
    steps.push(out.step);
    if (out.response !== undefined) last = out;
  }
  return { steps, last };
}

/**
 * A vendor's `finish`: the later steps of `plan` not done yet, on the recorded candidate (never a create).
 * The result's answer is the last request's, or `{ id, finished: [] }` when every step was already done.
 */
export async function finishLaterSteps(vendor: string, done: FinishFrom, plan: readonly LaterStep[]): Promise<PushResult> {
  const { steps, last } = await runLaterSteps(vendor, done.candidateId, [CREATED_EARLIER], plan, done);
  return {
    candidateId: done.candidateId,
    response: last ? last.response : { id: done.candidateId, finished: [] },
    statusCode: last?.statusCode,
    steps,
  };
}

/**
 * A step sending the CV: the file comes from `cv` (downloaded before the create by `push`, so that a CV
 * that cannot be sent creates nothing; downloaded when the step runs by `finish`), and its memory is given
 * back once it is sent.
 */
export function cvStep(step: string, cv: () => Promise<CvFile | undefined>, send: (file: CvFile | undefined) => Promise<StepOutcome>): LaterStep {
  return {
    step,
    run: async () => {
      const file = await cv();
      try {
        return await send(file);
      } finally {
        file?.release();
      }
    },
  };
}
