import { defaultStoreFor } from '../names.js'

/**
 * The vhosted backend kinds the app serves. Each kind has its own config file (`config/<kind>-http.toml`),
 * console commands (`/<kind> …`) and access paths (`http/<kind>/<instance>`); the instance manager, the config
 * parser and writer are shared.
 */
export interface InstanceKind {
  /** `oci`, `image`: the access path segment, the vhost table's backend label, the console command. */
  readonly kind: 'oci' | 'image'
  /** How people call one instance: `OCI registry`, `image library`. */
  readonly noun: string
  /** With its article: `an OCI registry`. */
  readonly aNoun: string
  /** `oci-http.toml` */
  readonly file: string
  /** The store an instance gets when none is named. */
  readonly defaultStore: (instance: string) => string
  /** May an instance set `public_url` (the image backend advertises one; the registry does not)? */
  readonly publicUrl: boolean
  /** The first line of the file the console writes. */
  readonly header: string
}

export const OCI_KIND: InstanceKind = {
  kind: 'oci',
  noun: 'OCI registry',
  aNoun: 'an OCI registry',
  file: 'oci-http.toml',
  defaultStore: defaultStoreFor,
  publicUrl: false,
  header: '# OCI registries served by everlock (managed with /oci … in the admin console; hand edits apply on restart or SIGHUP)',
}

export const IMAGE_KIND: InstanceKind = {
  kind: 'image',
  noun: 'image library',
  aNoun: 'an image library',
  file: 'image-http.toml',
  defaultStore: (instance) => `everlock-image-${instance}`,
  publicUrl: true,
  header: '# Image libraries served by everlock (managed with /image … in the admin console; hand edits apply on restart or SIGHUP)',
}

export const INSTANCE_KINDS: readonly InstanceKind[] = [OCI_KIND, IMAGE_KIND]
