export { openJobQueue, type JobQueue } from './queue.js'
export { JobsError, isJobsError, type JobsErrorCode } from './errors.js'
export { backoffDelay, DEFAULT_RETRY } from './backoff.js'
export { JOB_STATES } from './types.js'
export type {
  EnqueueOptions,
  HandleOptions,
  HandlerContext,
  JobError,
  JobHandler,
  JobState,
  JobStatus,
  Json,
  ListOptions,
  PruneOptions,
  QueueOptions,
  QueueStats,
  RetryPolicy,
} from './types.js'
export type { SettledListener } from './settled.js'
