export type { InstanceAdmin, InstanceInfo, Actor } from './instances.js'
