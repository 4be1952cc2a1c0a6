export { createHttpFrontend, type HttpFrontend, type HttpFrontendOptions } from './frontend.js'
export {
  createAuthorizer,
  basicChallenge,
  ANON_IDENTITY,
  DEFAULT_REALM,
  DEFAULT_SESSION_COOKIE,
  createPasswordCheck,
  type AuthorizerOptions,
  type IdentifyOptions,
} from './authorizer.js'
export { createCredentialCache, type CredentialCache, type CredentialCacheOptions } from './credential-cache.js'
export { createLoginThrottle, type LoginThrottle, type LoginThrottleOptions } from './throttle.js'
export { createVhostTable, type VhostTable } from './vhosts.js'
export { hostKey } from './host.js'
export { readCookie } from './credentials.js'
export { parseListenAddress, type ListenAddress } from './listen-address.js'
export { renderPlainError, renderOciError, renderJsonError } from './render-error.js'
export { HttpFrontendError, isHttpFrontendError, type HttpFrontendErrorCode } from './errors.js'
export type { ServerTimeouts } from './server.js'
export type { Authorize, AuthorizeResult, Need, RenderError, RequestListener, VhostEntry, Logger } from './types.js'
export { createTlsCertificates, TLS12_CIPHERS, TLS13_CIPHERSUITES, type TlsCertificates, type CertificatePair, type CertificateListing } from './tls-certificates.js'
export { ACME_CHALLENGE_PREFIX, type PlainHttpOptions } from './plain-http.js'
export { createWebSessions, csrfTokenOf, defaultIsSecure, type WebSessions, type WebSessionsOptions, type WebLoginResult } from './web-sessions.js'
