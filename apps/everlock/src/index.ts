export { serve, type ServeOptions, type Running } from './serve.js'
export { main } from './main.js'
export { parseServeArgs, USAGE, type Parsed } from './args.js'
export {
  loadInstancesConfig,
  parseInstancesConfig,
  loadOciConfig,
  parseOciConfig,
  type InstanceConfig,
  type OciInstanceConfig,
} from './config/instances-config.js'
export { IMAGE_KIND, OCI_KIND, INSTANCE_KINDS, type InstanceKind } from './config/kinds.js'
export { renderInstancesConfig, writeInstancesConfig, renderOciConfig, writeOciConfig } from './config/write.js'
export { createInstances, type Instances, type InstancesOptions, type Mounted, type MountContext } from './instances.js'
export { createOciInstances, mountOciRegistry, type OciInstances, type OciInstancesOptions } from './oci-instances.js'
export { EverlockError, isEverlockError, formatProblem, type EverlockErrorCode, type ConfigProblem } from './errors.js'
export { consoleLog, silentLog, type Log } from './log.js'
export { normaliseVhost, defaultStoreFor } from './names.js'
