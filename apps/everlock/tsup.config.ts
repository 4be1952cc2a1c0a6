import { everlockTsupConfig } from '../../tsup.shared.ts'

export default everlockTsupConfig(['src/index.ts', 'src/cli.ts'], { dts: { entry: ['src/index.ts'] } })
