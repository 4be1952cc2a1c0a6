// ssh2 is CommonJS: Node's ESM loader sees only its default export, so take the parts from there.
import ssh2 from 'ssh2'

export const { Server, utils } = ssh2
export type { AuthContext, ClientInfo, Connection, ServerChannel, PseudoTtyInfo, Session } from 'ssh2'
