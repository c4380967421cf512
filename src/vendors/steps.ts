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

export interface LaterStep {
  /** The step's name, as in msg.steps, the ledger and `error.step` (upload_cv, add_to_job...). */
  step: string;
  /** Do it on the candidate: its msg.steps entry (statusCode: the vendor's answer, when a request was sent); throws ConnectorError. */
  run(): Promise<PushStep>;
}

/** The msg.steps entry of the create in a finish: the candidate was created by the earlier push. */
export const CREATED_EARLIER: PushStep = { step: 'create', status: 'done', detail: 'created earlier' };

/**
 * Run `plan` on `candidateId` after the steps `before` (the create), each step once in order; with `done`
 * (a finish) the steps it records as done or skipped are not run again, only listed (`done earlier`,
 * `skipped earlier`). A failure throws PARTIAL_PUSH with the steps so far. `ran`: the steps run now.
 */
export async function runLaterSteps(
  vendor: string,
  candidateId: string,
  before: PushStep[],
  plan: readonly LaterStep[],
  done?: FinishFrom,
): Promise<{ steps: PushStep[]; ran: PushStep[] }> {
  const steps = [...before];
  const ran: PushStep[] = [];
  for (const s of plan) {
    const earlier = done?.steps.find((d) => d.step === s.step && d.status !== 'failed');
    if (earlier) {
      const status = earlier.status === 'skipped' ? 'skipped' : 'done';
      steps.push({ step: s.step, status, detail: `${status} earlier` });
      continue;
    }
    let step: PushStep;
    try {
      step = await s.run();
    } catch (err) {
      throw partialPush(err, vendor, candidateId, steps);
    }
    steps.push(step);
    ran.push(step);
  }
  return { steps, ran };
}

/**
 * A vendor's `finish`: the later steps of `plan` not done yet, on the recorded candidate (never a create).
 * The result's answer (msg.payload) is the same for every vendor: `{ id, finished: [the steps run now] }`
 * (the vendors' answers to these steps are empty or say little); its statusCode is the last request's.
 */
export async function finishLaterSteps(vendor: string, done: FinishFrom, plan: readonly LaterStep[]): Promise<PushResult> {
  const { steps, ran } = await runLaterSteps(vendor, done.candidateId, [CREATED_EARLIER], plan, done);
  const answered = ran.filter((s) => s.statusCode !== undefined);
  return {
    candidateId: done.candidateId,
    response: { id: done.candidateId, finished: ran.map((s) => s.step) },
    statusCode: answered[answered.length - 1]?.statusCode,
    steps,
  };
}

/**
 * A step sending the CV: the file comes from `cv` (downloaded before the create by `push`, so that a CV
 * that cannot be sent creates nothing; downloaded when the step runs by `finish`), and its memory is given
 * back once it is sent.
 */
export function cvStep(step: string, cv: () => Promise<CvFile | undefined>, send: (file: CvFile | undefined) => Promise<PushStep>): LaterStep {
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
